// A short sine tone as a 16-bit mono WAV, made in memory: the browser tests need real audio
// without depending on ffmpeg to make it.
export function toneWav(options: { seconds: number; sampleRate?: number; frequency?: number }): Buffer {
  const rate = options.sampleRate ?? 8000;
  const samples = Math.round(options.seconds * rate);
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write('RIFF', 0, 'ascii');
  wav.writeUInt32LE(36 + samples * 2, 4);
  wav.write('WAVEfmt ', 8, 'ascii');
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(rate * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36, 'ascii');
  wav.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) {
    const value = Math.sin((2 * Math.PI * (options.frequency ?? 440) * i) / rate) * 0.3 * 32767;
    wav.writeInt16LE(Math.round(value), 44 + i * 2);
  }
  return wav;
}
