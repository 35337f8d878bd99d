/** The error a native call throws, for asserting its errno; fails the test when it does not throw. */
export function errnoOf(fn: () => unknown): NodeJS.ErrnoException {
  try {
    fn();
  } catch (err) {
    return err as NodeJS.ErrnoException;
  }
  throw new Error('expected a throw');
}
