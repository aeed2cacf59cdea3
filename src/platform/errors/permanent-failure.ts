// A failure of background work that no retry can change: the input itself is refused (a photo the
// decoder cannot read, audio ffmpeg rejects). A job that fails so is marked failed at once with the
// reason, rather than retried until its attempts run out. Any error with `permanent: true` is one.

export class PermanentFailure extends Error {
  readonly permanent = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentFailure';
  }
}

export const isPermanentFailure = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { permanent?: unknown }).permanent === true;
