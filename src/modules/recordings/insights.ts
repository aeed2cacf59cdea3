// What the analysis stage asks the model for, as a TypeBox schema fit for OpenAI's strict mode:
// every property required (null where a value may be missing), no additional properties.
import Type, { type Static } from 'typebox';

const strict = { additionalProperties: false } as const;

export const InsightsSchema = Type.Object(
  {
    summary: Type.String({ description: 'Three to five sentences on what the recording is about' }),
    keyPoints: Type.Array(Type.String(), { description: 'The main points, one sentence each' }),
    coachingRecommendations: Type.Array(Type.String(), {
      description: 'Concrete advice to the speaker for next time',
    }),
    sentiment: Type.Object(
      {
        overall: Type.Enum(['positive', 'neutral', 'negative', 'mixed']),
        score: Type.Number({ description: 'From -1 (very negative) to 1 (very positive)' }),
        explanation: Type.String(),
      },
      strict,
    ),
    actionItems: Type.Array(
      Type.Object(
        {
          description: Type.String(),
          owner: Type.Union([Type.String(), Type.Null()]),
          dueDate: Type.Union([Type.String(), Type.Null()], { description: 'As said, or null' }),
        },
        strict,
      ),
    ),
  },
  strict,
);

export type Insights = Static<typeof InsightsSchema>;

export const insightsInstructions = [
  'You analyse transcripts of recorded conversations (calls, meetings, presentations).',
  'Answer in the language of the transcript. Base every statement on the transcript only;',
  'when it is too short or unclear to support a field, say so in the summary and leave lists empty.',
].join(' ');
