/**
 * A separate shim process for the allocator tests: `allocate <state> <partition> <prefix> <n>`
 * allocates n pods and prints their ranges as JSON; `hold <state>` takes the host lock,
 * prints "held" and waits to be killed. Every holder counts as live here: the workers exit
 * one by one, and the test is about the lock, not about collecting their ranges.
 */
import { NativeSys } from '../../../../src/sys/native-sys';
import { UsernsAllocator, type HostProcesses } from '../../../../src/userns';
import { withHostLock } from '../../../../src/userns/host-lock';

const [mode, statePath, partition, prefix, count] = process.argv.slice(2);
const sys = new NativeSys();
const pool = { start: 2 ** 30, count: 1024 };
const alwaysLive: HostProcesses = {
  bootId: () => 'boot',
  selfPid: () => process.pid,
  stat: () => ({ ppid: 1, start: '1' }),
  pids: () => [],
  uidMap: () => undefined,
  root: () => undefined,
};

async function main(): Promise<void> {
  if (mode === 'hold') {
    await withHostLock(sys, `${statePath}.lock`, () => {
      process.stdout.write('held\n');
      // Block the whole process while holding the lock, like a shim stuck mid-update.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    });
    return;
  }
  const allocator = new UsernsAllocator({ sys, partition, statePath, pool, lockTimeoutMs: 60_000, processes: alwaysLive });
  const got: Record<string, number> = {};
  for (let i = 0; i < Number(count); i++) {
    const pod = `${prefix}-${i}`;
    got[pod] = (await allocator.allocate(pod)).hostID;
  }
  process.stdout.write(`${JSON.stringify(got)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
