/** Node's setTimeout fires at once for delays above this, so longer deadlines must not be timed with it. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The setTimeout delay for a deadline `ms` from now, or undefined when it is
 * too far away to time (about 24.8 days: no call here lives that long).
 */
export function timerDelay(ms: number): number | undefined {
  return ms <= MAX_TIMER_MS ? Math.max(0, Math.ceil(ms)) : undefined;
}
