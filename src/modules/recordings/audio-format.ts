// Recognises an audio container by its first bytes (magic numbers), never by the client's
// Content-Type or file name: mp3 (ID3 tag or MPEG frame sync), wav, m4a/mp4, ogg/opus, webm, flac.

export interface AudioFormat {
  /** The extension of `original.{ext}`. */
  ext: 'mp3' | 'wav' | 'm4a' | 'ogg' | 'opus' | 'webm' | 'flac';
  contentType: string;
}

/**
 * The ffmpeg demuxer for each format we accept. Every ffmpeg run names it (`-f`), so ffmpeg never
 * guesses a format from the content: a playlist (HLS, ffconcat) behind an `ID3` tag is parsed as
 * the MP3 it claimed to be, and refused, never followed to the files it names.
 */
export const DEMUXERS: Record<AudioFormat['ext'], string> = {
  mp3: 'mp3',
  wav: 'wav',
  m4a: 'mov',
  ogg: 'ogg',
  opus: 'ogg',
  webm: 'matroska',
  flac: 'flac',
};

export const isAudioExt = (ext: string): ext is AudioFormat['ext'] => Object.hasOwn(DEMUXERS, ext);

/** Bytes to read before deciding; Opus is told from Vorbis by its `OpusHead` page at offset 28. */
export const AUDIO_SIGNATURE_BYTES = 64;

const ascii = (head: Buffer, offset: number, text: string): boolean =>
  head.length >= offset + text.length && head.toString('latin1', offset, offset + text.length) === text;

/** True for an MPEG audio frame header (layer I-III), not an AAC ADTS header (layer bits 00). */
function isMpegFrameSync(head: Buffer): boolean {
  if (head.length < 3) return false;
  const [b0, b1, b2] = [head[0] ?? 0, head[1] ?? 0, head[2] ?? 0];
  if (b0 !== 0xff || (b1 & 0xe0) !== 0xe0) return false;
  const version = (b1 >> 3) & 0x03;
  const layer = (b1 >> 1) & 0x03;
  const bitrate = (b2 >> 4) & 0x0f;
  const sampleRate = (b2 >> 2) & 0x03;
  return version !== 0x01 && layer !== 0x00 && bitrate !== 0x0f && sampleRate !== 0x03;
}

/** The format of a file starting with `head`, or undefined when it is none we accept. */
export function detectAudioFormat(head: Buffer): AudioFormat | undefined {
  if (ascii(head, 0, 'ID3') || isMpegFrameSync(head)) return { ext: 'mp3', contentType: 'audio/mpeg' };
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WAVE')) return { ext: 'wav', contentType: 'audio/wav' };
  if (ascii(head, 4, 'ftyp')) return { ext: 'm4a', contentType: 'audio/mp4' };
  if (ascii(head, 0, 'OggS'))
    return ascii(head, 28, 'OpusHead')
      ? { ext: 'opus', contentType: 'audio/ogg; codecs=opus' }
      : { ext: 'ogg', contentType: 'audio/ogg' };
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3)
    return { ext: 'webm', contentType: 'audio/webm' };
  if (ascii(head, 0, 'fLaC')) return { ext: 'flac', contentType: 'audio/flac' };
  return undefined;
}
