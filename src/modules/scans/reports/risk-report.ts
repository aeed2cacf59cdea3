// The risk report a completed scan gets (seed 001's risk_report_generator): which ingredients match
// the catalogue, with reasons and sources, and one overall level. One model, written three ways.
import Type, { type Static } from 'typebox';
import { riskLevels, type IngredientCatalogue, type RiskLevel } from '../ingredient-catalogue.js';

const Level = Type.Enum(riskLevels);

export const RiskSummarySchema = Type.Object(
  {
    level: Level,
    matched: Type.Integer({ minimum: 0 }),
    high: Type.Integer({ minimum: 0 }),
    moderate: Type.Integer({ minimum: 0 }),
    low: Type.Integer({ minimum: 0 }),
    ingredientsChecked: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type RiskSummary = Static<typeof RiskSummarySchema>;

export const RiskReportSchema = Type.Object(
  {
    schema: Type.Literal('azimuth.scan-report/1'),
    scanId: Type.String({ format: 'uuid' }),
    generatedAt: Type.String({ format: 'date-time' }),
    product: Type.Object(
      {
        name: Type.Union([Type.String(), Type.Null()]),
        brand: Type.Union([Type.String(), Type.Null()]),
        category: Type.Union([Type.String(), Type.Null()]),
        barcode: Type.Union([Type.String(), Type.Null()]),
      },
      { additionalProperties: false },
    ),
    analysis: Type.Object(
      {
        state: Type.Enum(['done', 'skipped']),
        reason: Type.Union([Type.String(), Type.Null()]),
        confidence: Type.Union([Type.Number(), Type.Null()]),
        claims: Type.Array(Type.String()),
      },
      { additionalProperties: false },
    ),
    ingredients: Type.Array(Type.String()),
    summary: RiskSummarySchema,
    matches: Type.Array(
      Type.Object(
        {
          ingredient: Type.String(),
          name: Type.String(),
          level: Level,
          reason: Type.String(),
          source: Type.Object({ name: Type.String(), url: Type.String() }, { additionalProperties: false }),
        },
        { additionalProperties: false },
      ),
    ),
    disclaimer: Type.String(),
  },
  { additionalProperties: false },
);
export type RiskReport = Static<typeof RiskReportSchema>;

export const DISCLAIMER =
  'This report is general information from public sources, matched automatically against the ingredients read from the label or typed in. It may miss or misread ingredients and is not medical, legal or regulatory advice. Ask a dermatologist or pharmacist about your own situation.';

const rank: Record<RiskLevel, number> = { low: 0, moderate: 1, high: 2 };

export function buildRiskReport(input: {
  scanId: string;
  generatedAt: Date;
  product: RiskReport['product'];
  analysis: RiskReport['analysis'];
  ingredients: string[];
  catalogue: IngredientCatalogue;
}): RiskReport {
  const matches = input.catalogue.match(input.ingredients).sort((a, b) => rank[b.level] - rank[a.level]);
  const count = (level: RiskLevel) => matches.filter((m) => m.level === level).length;
  const level = matches.reduce<RiskLevel>(
    (worst, m) => (rank[m.level] > rank[worst] ? m.level : worst),
    'low',
  );
  return {
    schema: 'azimuth.scan-report/1',
    scanId: input.scanId,
    generatedAt: input.generatedAt.toISOString(),
    product: input.product,
    analysis: input.analysis,
    ingredients: input.ingredients,
    summary: {
      level,
      matched: matches.length,
      high: count('high'),
      moderate: count('moderate'),
      low: count('low'),
      ingredientsChecked: input.ingredients.length,
    },
    matches,
    disclaimer: DISCLAIMER,
  };
}
