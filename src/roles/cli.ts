#!/usr/bin/env node
// The `azimuth` command. Settings are loaded and telemetry started before the HTTP stack is
// imported, so OpenTelemetry can instrument it and a bad setting stops us before anything opens.
import { Command, Option } from 'commander';
import { redactSettings } from '../platform/config/redact-settings.js';
import { isSettingsError } from '../platform/config/settings-error.js';
import { AzimuthSettingsSchema, loadAzimuthSettings, type AzimuthSettings as Settings } from './settings.js';
import { mintToken } from '../platform/auth/mint-token.js';
import { startAzureMonitor } from '../platform/telemetry/azure-monitor.js';
import { createLogger, type Logger } from '../platform/telemetry/logger.js';

type Role = 'api' | 'worker' | 'all';

async function settingsOrExit(): Promise<Settings> {
  try {
    return await loadAzimuthSettings();
  } catch (error) {
    if (!isSettingsError(error)) throw error;
    process.stderr.write(`azimuth: ${error.message}\n`);
    process.exit(2);
  }
}

function loggerFor(settings: Settings, role: string): Logger {
  return createLogger({
    level: settings.LOG_LEVEL,
    base: { service: 'azimuth', role, version: settings.VERSION },
  });
}

async function runRole(role: Role): Promise<void> {
  const settings = await settingsOrExit();
  const logger = loggerFor(settings, role);
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled promise rejection');
    logger.flush(() => process.exit(1));
  });
  await startAzureMonitor({
    connectionString: settings.APPLICATIONINSIGHTS_CONNECTION_STRING,
    serviceName: `azimuth-${role}`,
    logger,
  });
  const { startRole } = await import('./start-role.js');
  await startRole(role, settings, logger);
}

const program = new Command('azimuth')
  .description('Azimuth: star map, audio pipeline and blob storage on Azure, or on a laptop.')
  .showHelpAfterError();

program
  .command('api')
  .description('serve the HTTP API (enqueues jobs, does not run them)')
  .action(() => runRole('api'));
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
    process.exitCode = await runMigrateCommand(settings, loggerFor(settings, 'migrate'), options);
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
    const text = options.json
      ? JSON.stringify(redacted, null, 2)
      : Object.entries(redacted)
          .map(
            ([name, value]) => `${name}=${typeof value === 'string' ? value : JSON.stringify(value ?? '')}`,
          )
          .join('\n');
    process.stdout.write(`${text}\n`);
  });

program
  .command('token')
  .description('mint a development bearer token signed with AUTH_JWT_SECRET')
  .requiredOption('--sub <id>', 'subject: the principal id')
  .addOption(new Option('--role <role...>', 'roles claim (repeatable), e.g. --role admin').default([]))
  .option('--expires <duration>', 'lifetime, e.g. 1h, 7d', '1h')
  .action(async (options: { sub: string; role: string[]; expires: string }) => {
    const settings = await settingsOrExit();
    if (!settings.AUTH_JWT_SECRET) {
      process.stderr.write('azimuth: AUTH_JWT_SECRET is not set; it signs the token.\n');
      process.exit(2);
    }
    const token = await mintToken({
      secret: settings.AUTH_JWT_SECRET,
      subject: options.sub,
      roles: options.role,
      expiresIn: options.expires,
      ...(settings.AUTH_JWT_ISSUER ? { issuer: settings.AUTH_JWT_ISSUER } : {}),
      ...(settings.AUTH_JWT_AUDIENCE ? { audience: settings.AUTH_JWT_AUDIENCE } : {}),
    });
    process.stdout.write(`${token}\n`);
  });

await program.parseAsync();
