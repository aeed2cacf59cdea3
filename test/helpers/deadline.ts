// Races a wait against a short deadline, so a test whose awaited outcome never comes fails with a
// sentence saying what did not happen (and cleans up what it started), not with the runner's
// timeout and a process or socket left behind.

export class DeadlineError extends Error {}

export async function withDeadline<T>(
  wait: Promise<T>,
  options: { ms: number; what: string; onExpiry?: () => void },
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      options.onExpiry?.();
      reject(new DeadlineError(`${options.what} did not happen within ${options.ms} ms`));
    }, options.ms);
  });
  try {
    return await Promise.race([wait, expired]);
  } finally {
    clearTimeout(timer);
  }
}
