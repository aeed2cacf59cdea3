// Request and response schemas of the recordings API (TypeBox: validation, serialization, OpenAPI).
import Type from 'typebox';
import { CallerQuery } from '../../http/caller.js';
import { InsightsSchema } from './insights.js';
import { recordingStatuses, stageNames } from './recording.js';

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const RecordingIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const ListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  ...CallerQuery.properties,
});

const StageState = Type.Object({
  state: Type.Enum(['pending', 'done', 'skipped', 'failed']),
  reason: Type.Optional(Type.String()),
  finishedAt: Type.Optional(Type.String({ format: 'date-time' })),
});

const Cost = Type.Object({
  usd: Type.Number(),
  model: Type.String(),
  inputTokens: Type.Integer(),
  outputTokens: Type.Integer(),
  audioSeconds: Type.Number(),
});

const RecordingCostSchema = Type.Object({
  transcription: nullable(Cost),
  analysis: nullable(Cost),
  totalUsd: Type.Number(),
});

const TranscriptSchema = Type.Object({
  text: Type.String(),
  language: nullable(Type.String()),
  segments: Type.Array(Type.Object({ start: Type.Number(), end: Type.Number(), text: Type.String() })),
  model: Type.String(),
  chunks: Type.Integer(),
});

const summaryProperties = {
  id: Type.String({ format: 'uuid' }),
  title: Type.String(),
  language: nullable(Type.String()),
  status: Type.Enum([...recordingStatuses]),
  stage: Type.Enum([...stageNames]),
  percent: Type.Integer({ minimum: 0, maximum: 100 }),
  contentType: Type.String(),
  sizeBytes: Type.Integer(),
  durationSeconds: nullable(Type.Number()),
  error: nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  completedAt: nullable(Type.String({ format: 'date-time' })),
};

export const RecordingSummary = Type.Object(summaryProperties);

export const RecordingDetail = Type.Object({
  ...summaryProperties,
  compressedBytes: nullable(Type.Integer()),
  stages: Type.Object({ compress: StageState, transcribe: StageState, analyse: StageState }),
  transcript: nullable(TranscriptSchema),
  insights: nullable(InsightsSchema),
  cost: RecordingCostSchema,
  warnings: Type.Array(Type.String()),
  retries: Type.Integer(),
  links: Type.Object({
    original: Type.String(),
    compressed: nullable(Type.String()),
    metadata: nullable(Type.String()),
    expiresOn: Type.String({ format: 'date-time' }),
  }),
});

export const RecordingList = Type.Object({
  items: Type.Array(RecordingSummary),
  nextCursor: nullable(Type.String()),
});

export const Accepted = Type.Object({
  id: Type.String({ format: 'uuid' }),
  status: Type.Enum([...recordingStatuses]),
  title: Type.String(),
  sizeBytes: Type.Integer(),
  contentType: Type.String(),
  /** Where to follow the recording: GET this, or subscribe to it on /ws. */
  location: Type.String(),
});

/** The multipart upload's fields, for the OpenAPI document (the route streams the parts itself). */
export const AudioForm = Type.Object(
  {
    title: Type.Optional(Type.String({ maxLength: 200, description: 'Default: the file name' })),
    language: Type.Optional(Type.String({ description: 'ISO-639-1 code such as "en"; helps transcription' })),
    file: Type.String({
      format: 'binary',
      description: 'The audio (mp3, wav, m4a/mp4, ogg/opus, webm, flac), after the other fields',
    }),
  },
  { required: ['file'] },
);
