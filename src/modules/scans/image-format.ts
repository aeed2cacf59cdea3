// Judges an uploaded photo by its first bytes, never by its name or declared type. JPEG, PNG and
// WebP are accepted. HEIC is refused: the prebuilt libvips that sharp ships decodes AVIF but has no
// HEVC decoder, so an iPhone's HEIC could not be processed.
export const IMAGE_SIGNATURE_BYTES = 16;

export interface ImageFormat {
  ext: 'jpg' | 'png' | 'webp';
  contentType: 'image/jpeg' | 'image/png' | 'image/webp';
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function detectImageFormat(head: Buffer): ImageFormat | undefined {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff)
    return { ext: 'jpg', contentType: 'image/jpeg' };
  if (head.length >= 8 && head.subarray(0, 8).equals(PNG)) return { ext: 'png', contentType: 'image/png' };
  if (
    head.length >= 12 &&
    head.toString('latin1', 0, 4) === 'RIFF' &&
    head.toString('latin1', 8, 12) === 'WEBP'
  )
    return { ext: 'webp', contentType: 'image/webp' };
  return undefined;
}
