// Blob names in one Unicode form (NFC), whichever form a client sent: `é` typed as one code point or
// as `e` + a combining accent is one file, not two that look alike (macOS file names arrive as NFD).
// Every name and list prefix passes here, outermost, so logs, audit, quotas, links and every driver
// see the same name.
import type { BlobRef, BlobStore } from './blob-store.js';

/** The one normalisation of blob names. */
export const normaliseBlobName = (name: string): string => name.normalize('NFC');

const nfc = (ref: BlobRef): BlobRef => ({ ...ref, name: normaliseBlobName(ref.name) });

export function withNfcNames(store: BlobStore): BlobStore {
  return {
    ...store,
    upload: (ref, body, options) => store.upload(nfc(ref), body, options),
    download: (ref, options) => store.download(nfc(ref), options),
    downloadBuffer: (ref, options) => store.downloadBuffer(nfc(ref), options),
    exists: (ref, options) => store.exists(nfc(ref), options),
    head: (ref, options) => store.head(nfc(ref), options),
    delete: (ref, options) => store.delete(nfc(ref), options),
    list: (container, options = {}) =>
      store.list(
        container,
        options.prefix === undefined ? options : { ...options, prefix: normaliseBlobName(options.prefix) },
      ),
    url: (ref) => store.url(nfc(ref)),
    sasUrl: (ref, options) => store.sasUrl(nfc(ref), options),
  };
}
