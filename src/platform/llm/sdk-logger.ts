// Routes an LLM SDK's own log lines (deprecation notices, warnings) into our logger, at most at
// `warn`, keeping only the message: the SDKs' extra arguments can carry request bodies (prompts).
import type { Logger } from '../telemetry/logger.js';

export interface SdkLogger {
  error(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  debug(message: string, ...rest: unknown[]): void;
}

export function sdkLogger(logger: Logger, sdk: string): SdkLogger {
  return {
    error: (message) => logger.error({ sdk }, message),
    warn: (message) => logger.warn({ sdk }, message),
    info: (message) => logger.info({ sdk }, message),
    debug: (message) => logger.debug({ sdk }, message),
  };
}
