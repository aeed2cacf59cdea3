// The blob storage toolkit: the BlobStore port, its drivers, decorators and the factory.
export * from './blob-store.js';
export * from './blob-names.js';
export * from './blob-uri.js';
export * from './byte-range.js';
export * from './stream-errors.js';
export * from './size-limited-body.js';
export * from './azure-blob-store.js';
export * from './disk-blob-store.js';
export * from './disk-signed-links.js';
export * from './signed-link-verifier.js';
export * from './user-delegation-key-cache.js';
export * from './resilient-blob-store.js';
export * from './instrumented-blob-store.js';
export * from './sas-cached-blob-store.js';
export * from './quota-blob-store.js';
export * from './storage-health.js';
export * from './create-blob-store.js';
