// An audio file above the provider's upload limit, refused before any byte is sent; the caller
// should have split it (see MAX_TRANSCRIPTION_UPLOAD_BYTES).

export class LlmAudioTooLargeError extends Error {
  readonly isLlmAudioTooLargeError = true;
  readonly sizeBytes: number;
  readonly limitBytes: number;

  constructor(options: { filename: string; sizeBytes: number; limitBytes: number }) {
    super(
      `Audio "${options.filename}" is ${options.sizeBytes} bytes; one transcription takes at most ${options.limitBytes}`,
    );
    this.name = 'LlmAudioTooLargeError';
    this.sizeBytes = options.sizeBytes;
    this.limitBytes = options.limitBytes;
  }
}

export const isLlmAudioTooLargeError = (error: unknown): error is LlmAudioTooLargeError =>
  typeof error === 'object' &&
  error !== null &&
  (error as { isLlmAudioTooLargeError?: unknown }).isLlmAudioTooLargeError === true;
