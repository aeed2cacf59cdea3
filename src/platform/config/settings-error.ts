// Thrown when settings are invalid: one problem per setting, each naming it. The CLI prints
// the problems and exits non-zero without a stack trace.

export class SettingsError extends Error {
  readonly isSettingsError = true;

  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

export const isSettingsError = (error: unknown): error is SettingsError =>
  typeof error === 'object' &&
  error !== null &&
  (error as { isSettingsError?: unknown }).isSettingsError === true;
