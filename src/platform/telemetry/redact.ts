// Scrubs credentials out of any text before it is written: authorization schemes, account keys,
// SAS signatures, tokens in URLs, connection-string passwords, URL user-info and bare JWTs.
// Applied to every serialized log line, so a value takes JSON escapes (`\"`) whole: the line stays
// valid JSON and an escaped quote cannot end a secret early.

const REDACTED = '[REDACTED]';
/** A secret's characters up to `stop`, a backslash escape counting as one. */
const value = (stop: string) => String.raw`(?:[^${stop}\\]|\\.)+`;

/** The query parameters that carry a credential: OAuth tokens, API keys and a SAS's signature. */
const secretQueryParams = [
  'access_token',
  'refresh_token',
  'id_token',
  'client_secret',
  'code_verifier',
  'api_key',
  'api-key',
  'apikey',
  'sig',
  'skoid',
  'sktid',
  'skey',
].join('|');

const patterns: [RegExp, string][] = [
  // Connection-string members: AccountKey=…; SharedAccessKey=…; SharedAccessSignature=…; Password=…
  [
    new RegExp(
      String.raw`\b(AccountKey|SharedAccessKey|SharedAccessSignature|Password|Pwd)=${value(String.raw`;"'\s`)}`,
      'gi',
    ),
    `$1=${REDACTED}`,
  ],
  // Query parameters (a URL, a SAS token, a form body): ?access_token=…, &sig=…
  [new RegExp(`([?&;](?:${secretQueryParams})=)${value(String.raw`&;#"'\s`)}`, 'gi'), `$1${REDACTED}`],
  // user:password@ in URLs (redis://:key@host, postgres://user:pass@host).
  [/\b([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s"'\\]*):[^@/?#\s"'\\]+@/gi, `$1:${REDACTED}@`],
  // Authorization header values, wherever they were logged: Bearer, Basic, Digest, SharedKey.
  [/\b(Bearer|Basic|Digest|SharedKey|SharedKeyLite)(\s+)[A-Za-z0-9._~+/:=,-]+/g, `$1$2${REDACTED}`],
  // A JWT on its own (header.payload.signature, both JSON parts base64url of `{"`).
  [/\beyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, REDACTED],
];

// One cheap scan decides whether the line needs the replacements at all; most lines don't. It names
// every pattern's fixed part, so a pattern added above must add its keyword here (the tests check).
const suspicious = new RegExp(
  `AccountKey|SharedAccess|Password|Pwd=|[?&;](?:${secretQueryParams})=|://[^\\s"'/@]*:[^\\s"'/@]+@|Bearer|Basic|Digest|SharedKey|eyJ`,
  'i',
);

export function redactSecrets(text: string): string {
  if (!suspicious.test(text)) return text;
  let out = text;
  for (const [pattern, replacement] of patterns) out = out.replace(pattern, replacement);
  return out;
}
