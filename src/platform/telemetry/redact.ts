// Scrubs credentials out of any text before it is written: account keys, SAS signatures,
// connection-string passwords and URL user-info. Applied to every serialized log line.

const patterns: [RegExp, string][] = [
  // Connection-string members: AccountKey=…; SharedAccessKey=…; Password=…; SharedAccessSignature=…
  [/\b(AccountKey|SharedAccessKey|SharedAccessSignature|Password|Pwd)=[^;"'\s]+/gi, '$1=[REDACTED]'],
  // SAS query parameters: sig=…, and the signed key of a user-delegation SAS.
  [/([?&](?:sig|skoid|sktid|skey)=)[^&"'\s]+/gi, '$1[REDACTED]'],
  // user:password@ in URLs (redis://:key@host, postgres://user:pass@host).
  [/\b([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s"']*):[^@/?#\s"']+@/gi, '$1:[REDACTED]@'],
  // Bearer tokens that slipped into a message.
  [/\b(Bearer\s+)[A-Za-z0-9._~+/-]+=*/g, '$1[REDACTED]'],
];

// One cheap scan decides whether the line needs the replacements at all; most lines don't.
const suspicious =
  /AccountKey|SharedAccess|Password|Pwd=|[?&](?:sig|skoid|sktid|skey)=|:\/\/[^\s"'/@]*:[^\s"'/@]+@|Bearer\s/i;

export function redactSecrets(text: string): string {
  if (!suspicious.test(text)) return text;
  let out = text;
  for (const [pattern, replacement] of patterns) out = out.replace(pattern, replacement);
  return out;
}
