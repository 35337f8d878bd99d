import { DeadlineExceededError } from '../../../src/errors';

/**
 * Polls `probe` until it returns a value that `done` accepts, or fails with the last value seen.
 * For states that settle asynchronously: a task exit reaching containerd, a shim exiting.
 */
export async function eventually<T>(
  probe: () => T | Promise<T>,
  done: (value: T) => boolean,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 5_000);
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      throw new DeadlineExceededError(`${opts.what ?? 'condition'} not reached; last: ${JSON.stringify(value)}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
}
