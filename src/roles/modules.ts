// Which business modules each role runs, wired from the platform's ports. A module gets exactly
// the ports it uses, as a typed object; none of them knows which driver it got.
import type { AppModule } from '../http/app-types.js';
import { createFilesModule } from '../modules/files/files-routes.js';
import type { Platform } from './platform.js';

/** The HTTP surface of every module (the `api` and `all` roles). */
export function apiModules(platform: Platform): AppModule[] {
  const { settings, blobs } = platform;
  return [
    createFilesModule({
      store: blobs.store,
      container: settings.AZURE_STORAGE_CONTAINER,
      maxUploadBytes: settings.MAX_UPLOAD_MB * 1024 * 1024,
      sasTtlSeconds: blobs.sasTtlSeconds,
      health: blobs.health,
      ...(blobs.verifyLink ? { verifyLink: blobs.verifyLink } : {}),
    }),
  ];
}
