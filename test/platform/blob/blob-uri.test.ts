// blob://container/name references.
import { describe, expect, it } from 'vitest';
import { formatBlobUri, isBlobUri, parseBlobUri } from '../../../src/platform/blob/blob-uri.js';

describe('blob:// references', () => {
  it('when formatted and parsed, then names with slashes round-trip', () => {
    const ref = { container: 'scans', name: 'user-1/2026/photo 1.jpg' };
    expect(formatBlobUri(ref)).toBe('blob://scans/user-1/2026/photo 1.jpg');
    expect(parseBlobUri(formatBlobUri(ref))).toEqual(ref);
    expect(isBlobUri('blob://scans/x')).toBe(true);
    expect(isBlobUri('https://x')).toBe(false);
  });
  it.each([
    ['https://acct.blob.core.windows.net/c/n', 'must start with blob://'],
    ['blob://container', 'blob://container/name'],
    ['blob://container/', 'blob://container/name'],
    ['blob:///name', 'blob://container/name'],
    ['blob://Bad_Container/name', 'lowercase letters'],
    ['blob://container/a/../b', '".." path segments'],
  ])('when %j is parsed, then 400 saying why', (uri, message) => {
    expect(() => parseBlobUri(uri)).toThrow(message);
  });
});
