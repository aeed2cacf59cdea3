#!/usr/bin/env node
// The `azimuth` command. Settings are loaded and telemetry started before the HTTP stack is
// imported, so OpenTelemetry can instrument it and a bad setting stops us before anything opens.
import { readFileSync } from 'node:fs';
import cluster from 'node:cluster';
import { Command, Option } from 'commander';
import { redactSettings } from '../platform/config/redact-settings.js';
import { productionGuardProblems } from '../platform/config/production-guards.js';
import { isSettingsError, SettingsError } from '../platform/config/settings-error.js';
import { AzimuthSettingsSchema, loadAzimuthSettings, type AzimuthSettings as Settings } from './settings.js';
import { startAzureMonitor } from '../platform/telemetry/azure-monitor.js';
import { createLogger, type Logger } from '../platform/telemetry/logger.js';
import { instanceShare } from './cluster.js';

type Role = 'api' | 'worker' | 'all';

/** Seed aliases in use (APP_LOG_LEVEL, …), logged once the logger exists. */
const settingNotices: string[] = [];

type SettingsCheck = (settings: Settings) => string[];

/** Loads settings or exits 2; `checks` add problems (serving roles: the production guards). */
async function settingsOrExit(checks: SettingsCheck[] = []): Promise<Settings> {
  try {
    const settings = await loadAzimuthSettings({ onNotice: (line) => settingNotices.push(line) });
    const problems = checks.flatMap((check) => check(settings));
    if (problems.length > 0) throw new SettingsError(problems);
    return settings;
  } catch (error) {
    if (!isSettingsError(error)) throw error;
    process.stderr.write(`azimuth: ${error.message}\n`);
    process.exit(2);
  }
}

async function loggerFor(settings: Settings, role: string): Promise<Logger> {
  // A person at a terminal gets readable lines at info (unless LOG_LEVEL says otherwise); pipes and
  // log sinks keep JSON.
  const pretty = process.stdout.isTTY && settings.ENVIRONMENT === 'development';
  const logger = createLogger({
    level: pretty && process.env.LOG_LEVEL === undefined ? 'info' : settings.LOG_LEVEL,
    pretty,
    base: { service: 'azimuth', role, version: settings.VERSION },
    ...(settings.APPLICATIONINSIGHTS_CONNECTION_STRING === undefined
      ? {}
      : {
          openTelemetry: (await import('../platform/telemetry/otel-log-stream.js')).openTelemetryLogStream(),
        }),
  });
  for (const notice of settingNotices) logger.warn(notice);
  return logger;
}

async function runRole(role: Role): Promise<void> {
  const settings = await settingsOrExit([productionGuardProblems]);
  const logger = await loggerFor(settings, role);
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled promise rejection');
    logger.flush(() => process.exit(1));
  });
  await startAzureMonitor({
    connectionString: settings.APPLICATIONINSIGHTS_CONNECTION_STRING,
    serviceName: `azimuth-${role}`,
    logger,
    samplingRatio: settings.APPLICATIONINSIGHTS_SAMPLING_RATIO,
    tracesPerSecond: instanceShare(settings.APPLICATIONINSIGHTS_TRACES_PER_SECOND),
    slowRequestMs: settings.APPLICATIONINSIGHTS_SLOW_REQUEST_MS,
    useManagedIdentity: settings.APPLICATIONINSIGHTS_MANAGED_IDENTITY,
    metricIntervalMs: settings.APPLICATIONINSIGHTS_METRIC_PERIOD_MS,
  });
  const { startRole } = await import('./start-role.js');
  await startRole(role, settings, logger);
}

// package.json is two levels up from both src/roles and dist/roles.
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const program = new Command('azimuth')
  .description('Azimuth: star map, audio pipeline and blob storage on Azure, or on a laptop.')
  .version(version, '-v, --version', 'print the version')
  .showHelpAfterError();

program
  .command('api')
  .description('serve the HTTP API (enqueues jobs, does not run them)')
  .option('--workers <n|auto>', 'API processes sharing PORT (auto: one per vCPU, at most 6)', '1')
  .action(async (options: { workers: string }) => {
    if (cluster.isWorker) return runRole('api');
    const { clusterProblems, runClusterPrimary, workerCount } = await import('./cluster.js');
    let workers: number;
    try {
      workers = workerCount(options.workers);
    } catch (error) {
      process.stderr.write(`azimuth: ${(error as Error).message}\n`);
      process.exit(2);
    }
    if (workers === 1) return runRole('api');
    // The primary refuses bad settings once, before forking; it serves nothing itself.
    const settings = await settingsOrExit([productionGuardProblems, clusterProblems]);
    const logger = await loggerFor(settings, 'api-primary');
    runClusterPrimary({ workers, logger, shutdownTimeoutMs: settings.SHUTDOWN_TIMEOUT_MS });
  });
program
  .command('worker')
  .description('run background jobs (answers health probes on PORT)')
  .action(() => runRole('worker'));
program
  .command('all')
  .description('API and worker in one process: what `npm start` runs')
  .action(() => runRole('all'));

program
  .command('migrate')
  .description('apply database migrations (never done by the API in staging or production)')
  .option('--status', 'list migrations and whether each is applied, change nothing')
  .action(async (options: { status?: boolean }) => {
    const settings = await settingsOrExit();
    const { runMigrateCommand } = await import('./migrate.js');
    process.exitCode = await runMigrateCommand(settings, await loggerFor(settings, 'migrate'), options);
  });

program
  .command('config')
  .description('print the effective settings, secrets redacted')
  .option('--json', 'print JSON instead of NAME=value lines')
  .option('--example', 'print every setting with its default and description (config/.env.example)')
  .action(async (options: { json?: boolean; example?: boolean }) => {
    if (options.example) {
      const { renderEnvExample } = await import('../platform/config/env-example.js');
      process.stdout.write(renderEnvExample(AzimuthSettingsSchema));
      return;
    }
    const redacted = redactSettings(await settingsOrExit(), AzimuthSettingsSchema);
    const { ignoredSettingsIn } = await import('../platform/config/ignored-settings.js');
    const ignored = ignoredSettingsIn(process.env).map(
      ({ name, origin, why }) => `# ignored: ${name} (${origin}): ${why}`,
    );
    // Comment lines keep the NAME=value output a valid env file; with --json they go to stderr.
    if (options.json && ignored.length > 0) process.stderr.write(`${ignored.join('\n')}\n`);
    const text = options.json
      ? JSON.stringify(redacted, null, 2)
      : Object.entries(redacted)
          .map(
            ([name, value]) => `${name}=${typeof value === 'string' ? value : JSON.stringify(value ?? '')}`,
          )
          .concat(ignored)
          .join('\n');
    process.stdout.write(`${text}\n`);
  });

program
  .command('token')
  .description('mint a development bearer token signed with AUTH_JWT_SECRET')
  .requiredOption('--sub <id>', 'subject: the principal id')
  .addOption(new Option('--role <role...>', 'roles claim (repeatable), e.g. --role admin').default([]))
  .option('--expires <duration>', 'lifetime, e.g. 30m, 1h, 12h (at most 24h)', '1h')
  .action(async (options: { sub: string; role: string[]; expires: string }) => {
    const settings = await settingsOrExit();
    if (!settings.AUTH_JWT_SECRET) {
      process.stderr.write('azimuth: AUTH_JWT_SECRET is not set; it signs the token.\n');
      process.exit(2);
    }
    // jose is loaded only by the commands that sign or verify tokens, not by every start-up.
    const { mintToken } = await import('../platform/auth/mint-token.js');
    const token = await mintToken({
      secret: settings.AUTH_JWT_SECRET,
      subject: options.sub,
      roles: options.role,
      expiresIn: options.expires,
      ...(settings.AUTH_JWT_ISSUER ? { issuer: settings.AUTH_JWT_ISSUER } : {}),
      ...(settings.AUTH_JWT_AUDIENCE ? { audience: settings.AUTH_JWT_AUDIENCE } : {}),
    }).catch((error: unknown) => {
      process.stderr.write(`azimuth: ${(error as Error).message}\n`);
      process.exit(2);
    });
    process.stdout.write(`${token}\n`);
  });

await program.parseAsync();
