// The ingredient risk catalogue (ingredient-catalogue.json, data kept in the repo) and the matcher:
// label text is split into ingredients, each normalised (case, accents, spacing, punctuation) and
// tried whole and by its parenthesised parts against every entry's name, aliases and patterns.
import Type, { type Static } from 'typebox';
import Value from 'typebox/value';
import catalogueData from './ingredient-catalogue.json' with { type: 'json' };

export const riskLevels = ['low', 'moderate', 'high'] as const;
export type RiskLevel = (typeof riskLevels)[number];

export const CatalogueEntrySchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    aliases: Type.Array(Type.String({ minLength: 1 })),
    level: Type.Enum(riskLevels),
    reason: Type.String({ minLength: 1 }),
    source: Type.Object(
      { name: Type.String({ minLength: 1 }), url: Type.String({ pattern: '^https://' }) },
      { additionalProperties: false },
    ),
    /** Regular expressions over the normalised ingredient, for families (`^peg-\d+`). */
    patterns: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: false },
);
export type CatalogueEntry = Static<typeof CatalogueEntrySchema>;

const CatalogueSchema = Type.Object(
  {
    about: Type.String(),
    updated: Type.String(),
    entries: Type.Array(CatalogueEntrySchema, { minItems: 1 }),
  },
  { additionalProperties: false },
);

export interface IngredientMatch {
  /** The ingredient as the label or the caller wrote it. */
  ingredient: string;
  name: string;
  level: RiskLevel;
  reason: string;
  source: { name: string; url: string };
}

/** Lower case, no accents, single spaces, no stray punctuation at the ends. */
export function normaliseIngredient(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[*†‡]+/g, '')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.,;:·•-]+|[\s.,;:·•-]+$/g, '');
}

/** Splits a label's list (commas, semicolons, new lines, bullets) into ingredients, keeping `(…)` together. */
export function splitIngredients(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(' || char === '[') depth += 1;
    if ((char === ')' || char === ']') && depth > 0) depth -= 1;
    if (depth === 0 && /[,;\n\r•·]/.test(char)) {
      items.push(current);
      current = '';
    } else current += char;
  }
  items.push(current);
  return items.map((item) => item.replace(/^\s*(ingredients|inci)\s*:/i, '').trim()).filter((i) => i !== '');
}

/** The forms an ingredient is tried under: whole, outside and inside its brackets, and around `/`. */
function formsOf(ingredient: string): string[] {
  const whole = normaliseIngredient(ingredient);
  const inside = [...whole.matchAll(/[([]([^)\]]+)[)\]]/g)].map((m) => m[1] ?? '');
  const outside = whole.replace(/[([][^)\]]*[)\]]/g, ' ');
  const parts = [whole, outside, ...inside].flatMap((form) => [form, ...form.split('/')]);
  return [...new Set(parts.map(normaliseIngredient).filter((form) => form !== ''))];
}

export interface IngredientCatalogue {
  readonly entries: readonly CatalogueEntry[];
  /** Every catalogue entry the ingredients match, once per entry, in the order found. */
  match(ingredients: readonly string[]): IngredientMatch[];
}

export function createIngredientCatalogue(entries: readonly CatalogueEntry[]): IngredientCatalogue {
  const byName = new Map<string, CatalogueEntry>();
  for (const entry of entries)
    for (const name of [entry.name, ...entry.aliases]) byName.set(normaliseIngredient(name), entry);
  const patterns = entries.flatMap((entry) =>
    (entry.patterns ?? []).map((pattern) => ({ entry, regex: new RegExp(pattern) })),
  );
  const find = (form: string) => byName.get(form) ?? patterns.find(({ regex }) => regex.test(form))?.entry;

  return {
    entries,
    match(ingredients) {
      const found = new Map<CatalogueEntry, IngredientMatch>();
      for (const ingredient of ingredients) {
        for (const form of formsOf(ingredient)) {
          const entry = find(form);
          if (entry === undefined || found.has(entry)) continue;
          found.set(entry, {
            ingredient: ingredient.trim(),
            name: entry.name,
            level: entry.level,
            reason: entry.reason,
            source: entry.source,
          });
          break;
        }
      }
      return [...found.values()];
    },
  };
}

/** The catalogue shipped beside this file, checked against its schema (a bad edit fails start-up). */
export function loadIngredientCatalogue(data: unknown = catalogueData): IngredientCatalogue {
  if (!Value.Check(CatalogueSchema, data)) {
    const [first] = Value.Errors(CatalogueSchema, data);
    throw new Error(`ingredient-catalogue.json: ${first?.instancePath ?? ''} ${first?.message ?? ''}`);
  }
  return createIngredientCatalogue(data.entries);
}
