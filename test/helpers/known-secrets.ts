// The secret values the test suite hands to the code under test. No log line the suite writes may
// hold one (test/log-secrets-setup.ts scans them all at the end of the run).
import { devAccount } from './azurite.js';
import { standInCredentials } from './llm-stand-in.js';

export const testJwtSecret = 'test-secret-that-is-at-least-32-characters-long';

export const knownSecrets: readonly string[] = [
  testJwtSecret,
  devAccount.key,
  ...Object.values(standInCredentials),
];
