// A pipeline's stages as a bar: done, current (with its percentage, when the pipeline reports one)
// and failed.
import { html } from 'lit';

export function stageBar(
  stages: readonly string[],
  status: string,
  percent: number | undefined,
  failedAt?: string,
) {
  const current = status === 'failed' ? (failedAt ?? '') : status;
  const index = stages.indexOf(current);
  return html`<ol class="stage-bar" aria-label="Stages" data-status=${status}>
    ${stages.map((stage, i) => {
      const state =
        status === 'completed' || i < index
          ? 'done'
          : stage === current
            ? status === 'failed'
              ? 'failed'
              : 'current'
            : 'pending';
      return html`<li class=${state} aria-current=${state === 'current' ? 'step' : 'false'}>
        ${stage}${state === 'current' && stage !== 'completed' && percent !== undefined ? ` ${percent}%` : ''}
      </li>`;
    })}
  </ol>`;
}
