// Finds secrets in log text: any known secret value (also URL-encoded), and any credential shape the
// redaction would still change, which means it reached the log unredacted.
import { redactSecrets } from '../../src/platform/telemetry/redact.js';

export interface SecretLeak {
  /** Where the line came from (a file name). */
  source: string;
  line: number;
  /** What was found: a known secret's first characters, or `unredacted credential`. */
  found: string;
}

export function findSecretLeaks(
  text: string,
  options: { source: string; secrets: readonly string[] },
): SecretLeak[] {
  const needles = options.secrets
    .filter((secret) => secret !== '')
    .flatMap((secret) => [...new Set([secret, encodeURIComponent(secret)])]);
  const leaks: SecretLeak[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    const at = { source: options.source, line: index + 1 };
    for (const needle of needles)
      if (line.includes(needle)) leaks.push({ ...at, found: `${needle.slice(0, 4)}…` });
    if (redactSecrets(line) !== line) leaks.push({ ...at, found: 'unredacted credential' });
  }
  return leaks;
}
