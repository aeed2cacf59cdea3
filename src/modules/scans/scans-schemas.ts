// Request and response schemas of the scans API (TypeBox: validation, serialization, OpenAPI).
import Type from 'typebox';
import { CallerQuery } from '../../http/caller.js';
import { RiskSummarySchema } from './reports/risk-report.js';
import { scanStatuses, stageNames } from './scan.js';
import { LabelReadingSchema } from './stages/label-reading.js';

const strict = { additionalProperties: false } as const;
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);
const uuid = Type.String({ format: 'uuid' });
const time = Type.String({ format: 'date-time' });

export const ScanIdParams = Type.Object({ id: uuid }, strict);
export const ShareParams = Type.Object({ id: uuid, shareId: uuid }, strict);
export const TokenParams = Type.Object({ token: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }) }, strict);
export const ListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ maxLength: 512 })),
    ...CallerQuery.properties,
  },
  strict,
);

export const Accepted = Type.Object(
  { id: uuid, status: Type.Enum([...scanStatuses]), location: Type.String() },
  strict,
);

const StageState = Type.Object(
  {
    state: Type.Enum(['pending', 'done', 'skipped', 'failed']),
    reason: Type.Optional(Type.String()),
    finishedAt: Type.Optional(time),
  },
  strict,
);

export const ScanSummary = Type.Object(
  {
    id: uuid,
    status: Type.Enum([...scanStatuses]),
    stage: Type.Enum([...stageNames, 'queued', 'completed']),
    productName: nullable(Type.String()),
    barcode: nullable(Type.String()),
    contentType: Type.String(),
    sizeBytes: Type.Integer(),
    riskLevel: nullable(Type.Enum(['low', 'moderate', 'high'])),
    likelyDuplicateOf: nullable(uuid),
    error: nullable(Type.String()),
    createdAt: time,
    updatedAt: time,
    completedAt: nullable(time),
  },
  strict,
);

export const ScanList = Type.Object(
  { items: Type.Array(ScanSummary), nextCursor: nullable(Type.String()) },
  strict,
);

export const ScanDetail = Type.Object(
  {
    ...ScanSummary.properties,
    typedIngredients: nullable(Type.String()),
    blobUrl: Type.String({ description: 'blob://container/name of the original photo' }),
    stages: Type.Object({ processing: StageState, analysing: StageState, reporting: StageState }, strict),
    image: nullable(
      Type.Object(
        {
          width: Type.Integer(),
          height: Type.Integer(),
          perceptualHash: Type.String(),
          duplicateOf: nullable(uuid),
        },
        strict,
      ),
    ),
    analysis: nullable(LabelReadingSchema),
    risk: nullable(RiskSummarySchema),
    retries: Type.Integer(),
    links: Type.Record(Type.String(), Type.String(), {
      description:
        'Read links valid ≤ 15 minutes: original, normalized, thumbnail, report.json, report.html, report.pdf (those stored so far), and expiresOn',
    }),
  },
  strict,
);

export const CreateShareBody = Type.Object(
  { expiresInHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 168, default: 72 })) },
  strict,
);

export const CreatedShare = Type.Object({ id: uuid, url: Type.String(), expiresAt: time }, strict);

export const ShareView = Type.Object(
  {
    id: uuid,
    createdAt: time,
    expiresAt: time,
    revokedAt: nullable(time),
    views: Type.Integer(),
    lastViewedAt: nullable(time),
    active: Type.Boolean(),
  },
  strict,
);
export const ShareList = Type.Object({ items: Type.Array(ShareView) }, strict);

/** Multipart text fields of POST /api/scans. */
export const fieldLimits = { productName: 200, barcode: 64, ingredients: 10_000 } as const;
