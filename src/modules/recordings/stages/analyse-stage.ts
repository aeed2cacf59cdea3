// Stage 3: insights from the transcript (summary, key points, coaching, sentiment, action items) by
// one structured LLM call; its result and its cost are written in one update, so a retried job
// stores exactly one call's result and cost.
import type { LlmCallLedger } from '../../../platform/llm/llm-call-ledger.js';
import type { LlmProvider } from '../../../platform/llm/llm-provider.js';
import { insightsInstructions, InsightsSchema } from '../insights.js';
import type { Transcript } from '../recording.js';
import { withTotal } from './stage-costs.js';
import { NO_PROVIDER, type RunContext, type Stage } from './stage.js';

export interface AnalyseStageOptions {
  llm: LlmProvider;
  /** Where every call's cost is recorded once, whatever happens to the run. */
  ledger: LlmCallLedger;
}

/** Most a transcript sent for analysis may hold; longer ones are cut (and the prompt says so). */
const MAX_ANALYSIS_CHARS = 200_000;

const promptText = (transcript: Transcript): string =>
  transcript.text.length > MAX_ANALYSIS_CHARS
    ? `${transcript.text.slice(0, MAX_ANALYSIS_CHARS)}\n[transcript cut here for length]`
    : transcript.text;

export function analyseStage({ llm, ledger }: AnalyseStageOptions): Stage {
  async function analyse(context: RunContext, transcript: Transcript): Promise<void> {
    const { recording } = context;
    const completion = await ledger.record(
      { subject: `recording:${recording.id}`, step: 'analyse' },
      () =>
        llm.complete(
          [
            { role: 'system', content: insightsInstructions },
            { role: 'user', content: `Title: ${recording.title}\n\nTranscript:\n${promptText(transcript)}` },
          ],
          { schema: InsightsSchema, schemaName: 'recording_insights', task: 'summary' },
        ),
      { answered: () => context.fault('provider-answered') },
    );
    await context.fault('analysed');
    await context.update({
      insights: completion.value,
      cost: withTotal({ ...context.recording.cost, analysis: completion.cost }),
      stages: context.finished('analyse', 'done'),
    });
    await context.fault('insights-recorded');
  }

  return {
    name: 'analyse',
    pending: ({ recording }) => recording.insights === null && recording.stages.analyse.state !== 'skipped',
    async run(context) {
      const { transcript } = context.recording;
      if (transcript === null)
        await context.update({ stages: context.finished('analyse', 'skipped', 'no transcript') });
      else if (!llm.capabilities.complete)
        await context.update({ stages: context.finished('analyse', 'skipped', NO_PROVIDER) });
      else await analyse(context, transcript);
    },
  };
}
