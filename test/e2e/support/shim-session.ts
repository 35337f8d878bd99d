import * as assert from 'uvu/assert';
import { startContainerd, type Containerd, type ContainerdSeries } from '../harness';
import { shimLeakCheck } from './shim-leak-check';
import { shimDir } from './shim-under-test';

/**
 * The lines our shim wrote to its log FIFO (containerd copies them into its own log) and
 * containerd's own lines about this namespace's tasks and shims.
 */
export function shimLog(cd: Containerd): string {
  return cd
    .log()
    .split('\n')
    .filter((l) => l.includes('metassembly') || l.includes(cd.namespace))
    .join('\n');
}

/**
 * Runs `body` against a private containerd of `series` whose PATH finds the shim under test,
 * then stops it and asserts nothing was left behind. A failing body prints the shim's log, the
 * first thing to read when diagnosing.
 */
export async function withShimContainerd(
  series: ContainerdSeries,
  namespace: string,
  body: (cd: Containerd) => Promise<void>,
): Promise<void> {
  const check = shimLeakCheck(namespace);
  try {
    const cd = await startContainerd({ version: series, shimDir, namespace });
    try {
      await body(cd);
    } catch (err) {
      console.error(`--- shim log (containerd ${cd.version.version}, namespace ${namespace}) ---\n${shimLog(cd)}`);
      throw err;
    } finally {
      await cd.stop();
    }
    assert.equal(await check.settledLeaks(), [], 'nothing of the test is left on the host');
  } finally {
    // Also after a failure: what one test leaves (a runc state dir, a shim) must not fail the next.
    await check.cleanup();
  }
}
