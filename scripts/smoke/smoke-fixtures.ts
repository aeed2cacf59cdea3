// What the smoke test uploads: a short silent WAV and a small product photo.

/** The smallest valid WAV: 0.1 s of 8 kHz 16-bit mono silence. */
export function silentWav(): Blob {
  const samples = 800;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + samples * 2, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(16_000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(samples * 2, 40);
  return new Blob([header, Buffer.alloc(samples * 2)], { type: 'audio/wav' });
}

/** A 320×240 JPEG label (sharp, the library the scans module itself uses). */
export async function labelPhoto(): Promise<Blob> {
  const { default: sharp } = await import('sharp');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240">
    <rect width="100%" height="100%" fill="#f4f4f0"/><circle cx="250" cy="70" r="40" fill="#246"/>
    <text x="16" y="200" font-size="22">Ingredients: aqua, parfum</text></svg>`;
  const jpeg = await sharp(Buffer.from(svg)).jpeg().toBuffer();
  return new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' });
}
