/**
 * The memory side of a batch: which shims are the batch's own (not an earlier run's), what
 * they and containerd hold at a given container count, and waiting for them to go.
 */
import type { Containerd } from '../test/e2e/harness';
import { nowMs, sleep } from './clock';
import { containerdPid, pssKiB, rssKiB, shimPids } from './process-memory';

export interface MemorySample {
  /** The milestone; a failed run makes fewer containers than that actually run. */
  count: number;
  shimPssMiBPerContainer: number;
  shims: number;
  containerdGrowthMiB: number;
}

export interface MemoryWatch {
  /** Shims started since the watch began. */
  shims(): number[];
  /** After a settling pause: the shims' PSS ÷ the containers running, and containerd's RSS growth. */
  sample(count: number, running: number): Promise<MemorySample>;
  /** The next batch's memory must not count shims of this one still on their way out. */
  waitGone(failures: string[]): Promise<void>;
}

// A just-started Node shim is still settling its heap; sample once things are quiet.
const settleMs = 1500;

export function watchMemory(cd: Containerd): MemoryWatch {
  const cdPid = containerdPid(cd.configPath);
  const rssBefore = cdPid ? rssKiB(cdPid) : 0;
  // A shim left over by an earlier failed run is not this batch's: neither its memory nor
  // its exit concerns us.
  const earlier = new Set(shimPids(cd.address, cd.namespace));
  const shims = (): number[] => shimPids(cd.address, cd.namespace).filter((pid) => !earlier.has(pid));
  return {
    shims,
    async sample(count, running) {
      await sleep(settleMs);
      const pids = shims();
      return {
        count,
        shimPssMiBPerContainer: pids.reduce((sum, pid) => sum + pssKiB(pid), 0) / 1024 / running,
        shims: pids.length,
        containerdGrowthMiB: cdPid ? (rssKiB(cdPid) - rssBefore) / 1024 : 0,
      };
    },
    async waitGone(failures) {
      const deadline = nowMs() + 20_000;
      while (shims().length > 0) {
        if (nowMs() > deadline) {
          failures.push(`shims still running 20 s after teardown: ${shims().join(' ')}`);
          return;
        }
        await sleep(100);
      }
    },
  };
}
