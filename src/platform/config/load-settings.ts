// Builds the effective settings: schema defaults < environment defaults < config/.env.{environment}
// < process environment; then resolves Key Vault references, converts, and validates everything,
// reporting every problem at once.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import type { Static, TObject } from 'typebox';
import Value from 'typebox/value';
import { storageSettingsProblems } from '../storage/storage-account.js';
import { environmentDefaults } from './environment-defaults.js';
import { isKeyVaultReference, parseKeyVaultReference } from './key-vault-reference.js';
import { createKeyVaultResolver, type SecretResolver } from './key-vault-resolver.js';
import { SettingsError } from './settings-error.js';
import { ignoredSettingsNotice } from './ignored-settings.js';
import { applySettingAliases } from './setting-aliases.js';
import {
  environments,
  isSecret,
  SettingsSchema,
  type Environment,
  type Settings,
} from './settings-schema.js';

export interface LoadSettingsOptions {
  /** Variables to read; defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** Directory holding `.env.{environment}` files; defaults to `./config`. */
  configDir?: string;
  /** Resolves Key Vault references; defaults to the managed-identity resolver. */
  resolveSecret?: SecretResolver;
  /**
   * Receives one line per seed alias in use (APP_LOG_LEVEL, …) and one naming the seed settings
   * ignored on purpose (ignored-settings.ts); the CLI logs them at start-up.
   */
  onNotice?: (line: string) => void;
  /** Names the setting that needs Table Storage, when one does (a module's store choice). */
  tablesNeededBy?: (settings: Record<string, unknown>) => string | undefined;
}

/** The schema to load: the platform's, or one that extends it (roles/settings.ts adds the modules'). */
export interface SchemaOption<S extends TObject> {
  schema?: S;
}

type SchemaProperty = {
  type?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
};
type Properties = Record<string, SchemaProperty>;

export async function loadSettings<S extends TObject = typeof SettingsSchema>(
  options: LoadSettingsOptions & SchemaOption<S> = {},
): Promise<Static<S> & Settings> {
  const aliased = applySettingAliases(options.env ?? process.env);
  const env = aliased.env;
  const problems: string[] = [...aliased.problems];
  aliased.notices.forEach((line) => options.onNotice?.(line));
  const ignored = ignoredSettingsNotice(options.env ?? process.env);
  if (ignored !== undefined) options.onNotice?.(ignored);
  const schema: TObject = options.schema ?? SettingsSchema;
  const properties = schema.properties;
  const settingNames = Object.keys(properties);

  const environment = pickEnvironment(env, problems);
  const fileValues = await readEnvFile(options.configDir ?? 'config', environment, problems);

  const raw = new Map<string, string>();
  for (const source of [environmentDefaults[environment], fileValues, env]) {
    for (const name of settingNames) {
      const value = source[name];
      if (value !== undefined && value.trim() !== '') raw.set(name, value.trim());
    }
  }
  raw.set('ENVIRONMENT', environment);

  await resolveKeyVaultReferences(raw, options.resolveSecret, problems);

  const candidate: Record<string, unknown> = {};
  for (const [name, value] of raw) {
    const converted = convert(name, value, properties);
    if (converted.ok) candidate[name] = converted.value;
    else problems.push(`${name}: ${converted.message}${describeValue(name, value, schema)}`);
  }
  const withDefaults = Value.Default(schema, candidate) as Record<string, unknown>;
  problems.push(...schemaProblems(schema, withDefaults, raw));
  if (problems.length > 0) throw new SettingsError(problems);

  const settings = withDefaults as Static<S> & Settings;
  problems.push(...crossFieldProblems(settings, options.tablesNeededBy?.(settings)));
  if (problems.length > 0) throw new SettingsError(problems);
  return settings;
}

function pickEnvironment(env: Record<string, string | undefined>, problems: string[]): Environment {
  const value = (env.ENVIRONMENT ?? env.APP_ENV ?? 'development').trim().toLowerCase();
  if ((environments as readonly string[]).includes(value)) return value as Environment;
  problems.push(`ENVIRONMENT: must be one of ${environments.join(', ')} (got "${value}")`);
  return 'development';
}

async function readEnvFile(
  dir: string,
  environment: Environment,
  problems: string[],
): Promise<Record<string, string | undefined>> {
  const path = join(dir, `.env.${environment}`);
  try {
    return parseEnv(await readFile(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    problems.push(`${path}: cannot be read (${(error as Error).message})`);
    return {};
  }
}

async function resolveKeyVaultReferences(
  raw: Map<string, string>,
  resolveSecret: SecretResolver | undefined,
  problems: string[],
): Promise<void> {
  const references = [...raw].filter(([, value]) => isKeyVaultReference(value));
  if (references.length === 0) return;
  const resolve = resolveSecret ?? createKeyVaultResolver();
  await Promise.all(
    references.map(async ([name, value]) => {
      // The literal reference is never a usable value, whatever happens below.
      raw.delete(name);
      try {
        raw.set(name, await resolve(parseKeyVaultReference(value)));
      } catch (error) {
        problems.push(`${name}: Key Vault reference could not be resolved: ${(error as Error).message}`);
      }
    }),
  );
}

type Conversion = { ok: true; value: unknown } | { ok: false; message: string };

const logLevelAliases: Record<string, string> = { warning: 'warn', critical: 'fatal' };

function convert(name: string, value: string, properties: Properties): Conversion {
  const schema = properties[name] ?? {};
  switch (schema.type) {
    case 'integer':
      return /^-?\d+$/.test(value)
        ? { ok: true, value: Number(value) }
        : { ok: false, message: 'must be an integer' };
    case 'number':
      return /^-?(\d+\.?\d*|\.\d+)$/.test(value)
        ? { ok: true, value: Number(value) }
        : { ok: false, message: 'must be a number' };
    case 'boolean': {
      const lower = value.toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(lower)) return { ok: true, value: true };
      if (['false', '0', 'no', 'off'].includes(lower)) return { ok: true, value: false };
      return { ok: false, message: 'must be true or false' };
    }
    case 'array':
      try {
        const parsed: unknown = JSON.parse(value);
        return Array.isArray(parsed)
          ? { ok: true, value: parsed }
          : { ok: false, message: 'must be a JSON list' };
      } catch {
        return { ok: false, message: 'must be a JSON list, e.g. ["https://example.com"]' };
      }
    case 'object':
      try {
        const parsed: unknown = JSON.parse(value);
        return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
          ? { ok: true, value: parsed }
          : { ok: false, message: 'must be a JSON object' };
      } catch {
        return {
          ok: false,
          message: 'must be a JSON object, e.g. {"gpt-4o-mini":{"inputPer1kTokens":0.00015}}',
        };
      }
    default:
      if (name === 'LOG_LEVEL') {
        const lower = value.toLowerCase();
        return { ok: true, value: logLevelAliases[lower] ?? lower };
      }
      return { ok: true, value };
  }
}

function schemaProblems(
  schema: TObject,
  candidate: Record<string, unknown>,
  raw: Map<string, string>,
): string[] {
  const properties = schema.properties;
  const byName = new Map<string, string>();
  for (const error of Value.Errors(schema, candidate)) {
    const name = error.instancePath.split('/')[1] ?? '';
    if (name === '' || byName.has(name)) continue;
    const rawValue = raw.get(name);
    byName.set(
      name,
      `${name}: ${expectation(properties[name] ?? {})}${rawValue === undefined ? ' (not set)' : describeValue(name, rawValue, schema)}`,
    );
  }
  return [...byName.values()];
}

function expectation(schema: SchemaProperty): string {
  if (schema.enum) return `must be one of ${schema.enum.join(', ')}`;
  if (schema.type === 'integer') {
    const range = [schema.minimum, schema.maximum];
    if (range[1] !== undefined) return `must be an integer from ${range[0] ?? 0} to ${range[1]}`;
    return `must be an integer of at least ${range[0] ?? 0}`;
  }
  if (schema.type === 'array') return 'must be a JSON list of strings';
  if (schema.type === 'object') return 'must be a JSON object of the documented shape';
  if (schema.minLength !== undefined) return `must be at least ${schema.minLength} characters`;
  return 'is not valid';
}

function describeValue(name: string, value: string, schema: TObject): string {
  return isSecret(name, schema) ? '' : ` (got "${value}")`;
}

function crossFieldProblems(s: Settings, tablesNeededBy: string | undefined): string[] {
  const problems: string[] = [];
  const deployed = s.ENVIRONMENT === 'staging' || s.ENVIRONMENT === 'production';
  if (deployed && s.AUTH_MODE === 'none') {
    problems.push(`AUTH_MODE: "none" is not allowed in ${s.ENVIRONMENT}; use jwt`);
  }
  if (s.ENVIRONMENT === 'production' && s.DEBUG) {
    problems.push('DEBUG: must be false in production');
  }
  if (s.AUTH_MODE === 'jwt' && !s.AUTH_JWT_SECRET && !s.AUTH_JWKS_URL) {
    problems.push('AUTH_JWT_SECRET: AUTH_MODE=jwt needs AUTH_JWT_SECRET or AUTH_JWKS_URL');
  }
  if (s.AUTH_JWKS_URL && (!s.AUTH_JWT_ISSUER || !s.AUTH_JWT_AUDIENCE)) {
    problems.push('AUTH_JWKS_URL: needs AUTH_JWT_ISSUER and AUTH_JWT_AUDIENCE');
  }
  problems.push(...storageSettingsProblems(s, tablesNeededBy === undefined ? {} : { tablesNeededBy }));
  problems.push(...llmProblems(s));
  problems.push(...timeoutProblems(s));
  return problems;
}

/** Timeouts that only make sense in order (Node refuses headers after the whole request). */
function timeoutProblems(s: Settings): string[] {
  const problems: string[] = [];
  if (s.API_HEADERS_TIMEOUT_MS > s.API_REQUEST_TIMEOUT_MS)
    problems.push('API_HEADERS_TIMEOUT_MS: must not exceed API_REQUEST_TIMEOUT_MS');
  if (s.SHUTDOWN_DRAIN_DELAY_MS > 0 && s.SHUTDOWN_DRAIN_DELAY_MS >= s.SHUTDOWN_TIMEOUT_MS)
    problems.push('SHUTDOWN_DRAIN_DELAY_MS: must be less than SHUTDOWN_TIMEOUT_MS, which includes it');
  return problems;
}

/** Each LLM driver in use needs its endpoint and credentials; Anthropic cannot transcribe. */
function llmProblems(s: Settings): string[] {
  const problems: string[] = [];
  const chat = s.LLM_PROVIDER;
  if (chat === 'anthropic' && s.LLM_TRANSCRIBE_PROVIDER === undefined)
    problems.push(
      'LLM_TRANSCRIBE_PROVIDER: LLM_PROVIDER=anthropic cannot transcribe audio; set LLM_TRANSCRIBE_PROVIDER to azure_openai or openai',
    );
  const transcribe = s.LLM_TRANSCRIBE_PROVIDER ?? (chat === 'anthropic' ? undefined : chat);
  const uses = (driver: string) => chat === driver || transcribe === driver;
  if (uses('azure_openai') && !s.AZURE_OPENAI_ENDPOINT)
    problems.push('AZURE_OPENAI_ENDPOINT: the azure_openai LLM provider needs its endpoint');
  if (transcribe === 'azure_openai' && !s.AZURE_OPENAI_DEPLOYMENT_NAME)
    problems.push(
      'AZURE_OPENAI_DEPLOYMENT_NAME: the azure_openai LLM provider needs the transcription (Whisper) deployment name',
    );
  if (chat === 'azure_openai' && !s.AZURE_OPENAI_CHAT_DEPLOYMENT)
    problems.push(
      'AZURE_OPENAI_CHAT_DEPLOYMENT: the azure_openai LLM provider needs the chat deployment name',
    );
  if (uses('openai') && !s.OPENAI_API_KEY)
    problems.push('OPENAI_API_KEY: the openai LLM provider needs an API key');
  if (chat === 'anthropic' && !s.ANTHROPIC_API_KEY)
    problems.push('ANTHROPIC_API_KEY: the anthropic LLM provider needs an API key');
  return problems;
}
