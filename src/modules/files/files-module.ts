// The files module (seed 001) as roles/ composes it: the blob port it serves, the storage health
// check, the signed-link verifier (disk driver), and its settings; registers its routes.
import multipart from '@fastify/multipart';
import type { App, AppModule } from '../../http/app-types.js';
import { watchForStall } from '../../http/upload-guard.js';
import type { BlobStore } from '../../platform/blob/blob-store.js';
import type { SignedLinkVerifier } from '../../platform/blob/signed-link-verifier.js';
import type { DependencyCheck } from '../../platform/health/dependency-check.js';
import { registerObjectRoutes, registerRawPut } from './files-object-routes.js';
import { registerLinks, registerList, registerStorageHealth, registerUpload } from './files-routes.js';
import { FileProperties } from './files-schemas.js';
import { createFilesService } from './files-service.js';
import type { FilesSettings } from './files-settings.js';

export interface FilesModuleDeps {
  /** The composed store (quota, instrumentation, resilience). */
  blobs: BlobStore;
  /** The storage DependencyCheck, for GET /health/azure-storage. */
  health: DependencyCheck;
  /** Disk driver only: checks the signed links the API serves. */
  verifyLink?: SignedLinkVerifier;
  settings: FilesSettings;
}

export function filesModule(deps: FilesModuleDeps): AppModule {
  const { settings } = deps;
  const maxUploadBytes = settings.MAX_UPLOAD_MB * 1024 * 1024;
  const service = createFilesService({
    store: deps.blobs,
    container: settings.AZURE_STORAGE_CONTAINER,
    maxUploadBytes,
    sasTtlSeconds: settings.BLOB_SAS_TTL_SECONDS,
  });
  const routes = { service, ...(deps.verifyLink === undefined ? {} : { verifyLink: deps.verifyLink }) };

  return async (app: App) => {
    app.addSchema(FileProperties);
    await app.register(multipart, {
      limits: { fileSize: maxUploadBytes, files: 1, fields: 5, fieldSize: 2048, parts: 6 },
    });
    registerUpload(app, service);
    registerList(app, service);
    registerLinks(app, service);
    registerObjectRoutes(app, routes);
    // PUT's only content-type parser hands the request stream through untouched; a client that
    // stalls or leaves mid-body is cut off as a multipart upload is (UPLOAD_IDLE_TIMEOUT_MS, 400).
    await app.register(async (raw: App) => {
      raw.addHook('onRequest', (request, reply, done) => {
        watchForStall(request, reply, settings.UPLOAD_IDLE_TIMEOUT_MS);
        done();
      });
      raw.removeAllContentTypeParsers();
      raw.addContentTypeParser('*', (_request, payload, done) => {
        done(null, payload);
      });
      registerRawPut(raw, routes);
    });
    registerStorageHealth(app, deps.health, settings.AZURE_REGION);
  };
}
