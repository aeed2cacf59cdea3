// processing: the uploaded photo becomes normalized.jpg (auto-oriented, bounded, every metadata block
// gone: EXIF with GPS, XMP, IPTC, ICC) and a 320 px thumbnail.webp, and gets a perceptual hash that
// flags the same product photographed again by the same owner.
import { PermanentFailure } from '../../../platform/errors/permanent-failure.js';
import sharp from 'sharp';
import type { BlobStore } from '../../../platform/blob/blob-store.js';
import { scanBlobs } from '../scan-blobs.js';
import type { ScansStore } from '../scans-store.js';
import { DUPLICATE_DISTANCE, differenceHash, hammingDistance } from './perceptual-hash.js';
import type { ScanStage } from './scan-stage.js';

/** Larger inputs are refused before decoding (a decompression bomb fits in a few MB). */
const MAX_INPUT_PIXELS = 100_000_000;
export const THUMBNAIL_PX = 320;

export function processingStage(deps: {
  blobs: BlobStore;
  store: Pick<ScansStore, 'hashesOf' | 'putSnapshot'>;
  /** SCANS_MAX_IMAGE_PX. */
  maxPx: number;
}): ScanStage {
  return {
    name: 'processing',
    async run(run) {
      const { scan } = run;
      const originalName = scanBlobs.original(scan.owner, scan.id, scan.originalExt);
      const original = await run.read(originalName);
      // sharp writes no metadata unless asked (no withMetadata/keepExif here), so EXIF and GPS stay behind.
      const normalized = await sharp(original, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
        .rotate()
        .resize({ width: deps.maxPx, height: deps.maxPx, fit: 'inside', withoutEnlargement: true })
        .jpeg({ quality: 85, mozjpeg: true })
        .toBuffer({ resolveWithObject: true })
        .catch((error: unknown) => {
          // The same bytes fail the same way every time: not worth a retry.
          const reason = error instanceof Error ? error.message : String(error);
          throw new PermanentFailure(`the photo cannot be decoded: ${reason}`, { cause: error });
        });
      const thumbnail = await sharp(normalized.data)
        .resize({ width: THUMBNAIL_PX, height: THUMBNAIL_PX, fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 80 })
        .toBuffer();
      const perceptualHash = await differenceHash(normalized.data);
      const others = await deps.store.hashesOf(scan.owner, scan.id);
      const duplicate = others.find(
        (other) => hammingDistance(other.hash, perceptualHash) <= DUPLICATE_DISTANCE,
      );

      const stored = [
        { kind: 'original', name: originalName, bytes: undefined, contentType: scan.contentType },
        {
          kind: 'normalized',
          name: scanBlobs.normalized(scan.owner, scan.id),
          bytes: normalized.data,
          contentType: 'image/jpeg',
        },
        {
          kind: 'thumbnail',
          name: scanBlobs.thumbnail(scan.owner, scan.id),
          bytes: thumbnail,
          contentType: 'image/webp',
        },
      ];
      for (const blob of stored) {
        const size = blob.bytes === undefined ? original.length : blob.bytes.length;
        if (blob.bytes !== undefined) {
          await deps.blobs.upload(run.ref(blob.name), blob.bytes, { contentType: blob.contentType });
          run.remember(blob.name, blob.bytes);
        }
        await deps.store.putSnapshot(scan.id, {
          kind: blob.kind,
          container: run.ref(blob.name).container,
          name: blob.name,
          contentType: blob.contentType,
          sizeBytes: size,
        });
      }
      await run.update({
        image: {
          width: normalized.info.width,
          height: normalized.info.height,
          perceptualHash,
          duplicateOf: duplicate?.id ?? null,
        },
      });
      return { state: 'done' };
    },
  };
}
