// analysing: the visual agent (seed 001's visual_search_agent) sends normalized.jpg inline to the
// LLM port's label-reading model and asks for a LabelReading. No provider: skipped, and the report
// uses what the caller typed.
import type { LlmCallLedger } from '../../../platform/llm/llm-call-ledger.js';
import type { LlmProvider } from '../../../platform/llm/llm-provider.js';
import { scanBlobs } from '../scan-blobs.js';
import { LabelReadingSchema, labelReadingInstructions } from './label-reading.js';
import { NO_PROVIDER, type ScanStage } from './scan-stage.js';

export function analysingStage(deps: { llm: LlmProvider; ledger: LlmCallLedger }): ScanStage {
  return {
    name: 'analysing',
    async run(run) {
      if (!deps.llm.capabilities.complete) return { state: 'skipped', reason: NO_PROVIDER };
      const { scan } = run;
      const image = await run.read(scanBlobs.normalized(scan.owner, scan.id));
      const hints = [
        scan.productName === null ? undefined : `The owner says the product is: ${scan.productName}.`,
        scan.barcode === null ? undefined : `Barcode: ${scan.barcode}.`,
      ].filter((hint) => hint !== undefined);
      const completion = await deps.ledger.record({ subject: `scan:${scan.id}`, step: 'analysing' }, () =>
        deps.llm.complete(
          [
            { role: 'system', content: labelReadingInstructions },
            {
              role: 'user',
              content: [
                { type: 'text', text: ['Read this product label.', ...hints].join(' ') },
                { type: 'image', data: image, contentType: 'image/jpeg' },
              ],
            },
          ],
          { schema: LabelReadingSchema, schemaName: 'label_reading', task: 'label-reading', maxTokens: 2000 },
        ),
      );
      await run.update({ analysis: completion.value });
      return { state: 'done' };
    },
  };
}
