// One rule for every answer that carries a user's bytes (the files API and its signed links, which
// serve recordings and scan photos on the disk driver, and scan reports and their share links):
// inline only for a short list of types a browser shows without running anything of the file's
// (raster images, audio, PDF), `attachment` for everything else (HTML and SVG above all: on the
// API's origin they would be pages of it), and `sandbox` in the CSP of every such answer, so even
// a file a browser does render gets an opaque origin, no forms, no scripts, no navigation of ours.

/** Raster images (never SVG: it is a document that can carry script and links) and PDF. */
const INLINE_TYPES: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
  'application/pdf',
]);

/** The CSP of a user-content answer when its route has none of its own: nothing loads, sandboxed. */
export const USER_CONTENT_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox";

/** The media type without parameters, lower-cased (`Text/HTML; charset=x` → `text/html`). */
const essence = (contentType: string): string => (contentType.split(';')[0] ?? '').trim().toLowerCase();

export function isInlineType(contentType: string): boolean {
  const type = essence(contentType);
  return INLINE_TYPES.has(type) || /^audio\/[a-z0-9][a-z0-9.+-]*$/.test(type);
}

/** `attachment` with the file's name: ASCII in `filename`, the exact name in `filename*` (RFC 6266). */
export function attachment(filename: string | undefined): string {
  if (filename === undefined || filename === '') return 'attachment';
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  if (ascii === filename) return `attachment; filename="${filename}"`;
  const exact = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${exact}`;
}

export interface UserContentOptions {
  /** The name the file goes by (its last path segment), for a download's file name. */
  filename?: string;
  /** A disposition a signed link asked for: kept when allowed, turned into `attachment` when not. */
  requested?: string;
  /** The route's own CSP (e.g. a report's), to which `sandbox` is added. */
  csp?: string;
}

/** The `content-disposition` (when one is needed) and `content-security-policy` of a user-content answer. */
export function userContentHeaders(
  contentType: string,
  options: UserContentOptions = {},
): Record<string, string> {
  const csp = options.csp === undefined ? USER_CONTENT_CSP : `${options.csp}; sandbox`;
  const { requested } = options;
  let disposition: string | undefined;
  if (isInlineType(contentType)) disposition = requested;
  else if (requested !== undefined && /^\s*attachment\b/i.test(requested)) disposition = requested;
  else disposition = attachment(options.filename);
  return {
    'content-security-policy': csp,
    ...(disposition === undefined ? {} : { 'content-disposition': disposition }),
  };
}
