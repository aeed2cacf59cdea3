// The blob store a test builds from its settings: the real factory (the driver and decorators the
// settings choose) over an in-memory audit log, cache and quota store.
import { Registry } from 'prom-client';
import type { AuditLog } from '../../src/platform/audit/audit-log.js';
import {
  blobStoreOptionsFromSettings,
  createBlobStore,
  type BlobStoreBundle,
} from '../../src/platform/blob/index.js';
import type { Settings } from '../../src/platform/config/settings-schema.js';
import { createMemoryQuotaStore } from '../../src/platform/quota/memory-quota-store.js';
import type { Logger } from '../../src/platform/telemetry/logger.js';
import { createArrayAuditLog, createMapCache } from './fakes.js';

export function testBlobStore(
  settings: Settings,
  logger: Logger,
  audit: AuditLog = createArrayAuditLog(),
): Promise<BlobStoreBundle> {
  return createBlobStore(blobStoreOptionsFromSettings(settings), {
    logger,
    registry: new Registry(),
    audit,
    cache: createMapCache(),
    quota: createMemoryQuotaStore(),
  });
}
