// Fails a test file in which a file was left open until the garbage collector closed it (Node warns
// "Closing file descriptor N on garbage collection"): a stream opened and never read or destroyed.
// The collector runs at the end of each file (vitest starts workers with --expose-gc) so the warning
// comes while the file can still fail, not at some later moment in another file.
import { afterAll, expect } from 'vitest';

const leaked: string[] = [];
process.on('warning', (warning) => {
  if (/Closing file descriptor \d+ on garbage collection/.test(warning.message)) leaked.push(warning.message);
});

const gc = (globalThis as { gc?: () => void }).gc;

afterAll(async () => {
  gc?.();
  // The warning is emitted on a later tick than the collection.
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
  expect(leaked, 'a file handle was closed by the garbage collector, not by the code').toEqual([]);
});
