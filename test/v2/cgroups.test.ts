/**
 * The cgroups module on a real cgroup v2 host (the emulated guest): detection, the stats of a
 * cgroup with its controllers delegated and limits set, and the OOM watch through
 * memory.events. Each test makes its own cgroup under the root, puts a child of its own in
 * it, and removes both.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cgroupManagerForPath, cgroupManagerForPid, detectCgroupMode, type OomSys, type V2Metrics } from '../../src/cgroups';
import { cleanUp, comm, heldChild, release, until, type Child } from './support/cgroup-child';
import { CGROUP_ROOT, enableControllers, skipUnlessV2 } from './support/guest';

// The v2 manager watches memory.events with inotify: the eventfd half of Sys is never used.
const noEventfd: OomSys = {
  eventfd: () => assert.unreachable('cgroup v2 needs no eventfd') as never,
  watchEventfd: () => assert.unreachable('cgroup v2 needs no eventfd') as never,
};

const MiB = 1024 * 1024;

test('the host is cgroup v2 only: detection says v2 and processes have one unified path', () => {
  if (skipUnlessV2()) return;
  assert.is(detectCgroupMode(), 'v2');
  const lines = readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n');
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(lines[0]!, /^0::\//);
});

test('stats of a real cgroup: memory, pids and cpu with the limits set on it', async () => {
  if (skipUnlessV2()) return;
  enableControllers(['cpu', 'memory', 'pids']);
  const name = `metassembly-v2-stats-${process.pid}`;
  const dir = join(CGROUP_ROOT, name);
  let proc: Child | undefined;
  try {
    mkdirSync(dir);
    writeFileSync(join(dir, 'memory.max'), String(256 * MiB));
    writeFileSync(join(dir, 'pids.max'), '20');
    // Busy for a moment, then sleep: CPU time and fresh pages are charged to the new cgroup.
    proc = heldChild('i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exec sleep 60');
    writeFileSync(join(dir, 'cgroup.procs'), String(proc.pid));
    release(proc);
    await until(() => comm(proc!.pid!) === 'sleep', 'the child to exec sleep');

    const manager = await cgroupManagerForPid(proc.pid!, { sys: noEventfd });
    assert.is(manager.version, 2);
    const stats = await manager.stats();
    assert.is(stats.typeUrl, 'io.containerd.cgroups.v2.Metrics');
    const metrics = stats.metrics as V2Metrics;
    assert.ok(Number(metrics.memory!.usage) > 0, `memory usage ${metrics.memory!.usage}`);
    // Uint64: a number while it is a safe integer, else its decimal string.
    assert.is(metrics.memory!.usageLimit, 256 * MiB);
    assert.ok(Number(metrics.memory!.anon) > 0, `anon ${metrics.memory!.anon}`);
    assert.equal(metrics.pids, { current: 1, limit: 20 });
    assert.ok(Number(metrics.cpu!.usageUsec) > 0, `cpu usage ${metrics.cpu!.usageUsec}`);
    assert.ok(Number(metrics.cpu!.userUsec) + Number(metrics.cpu!.systemUsec) > 0);
    assert.is(metrics.memoryEvents!.oomKill, 0);
    assert.equal(await manager.pids(), [proc.pid]);
    assert.is(await manager.oomKillCount(), 0);

    // The same cgroup by path, as the shim finds it from the spec's cgroupsPath.
    const byPath = await cgroupManagerForPath(`/${name}`, { sys: noEventfd });
    assert.equal(await byPath.pids(), [proc.pid]);
  } finally {
    await cleanUp(proc, [dir]);
  }
});

test('the OOM killer in a real v2 cgroup fires watchOom and counts in memory.events', async () => {
  if (skipUnlessV2()) return;
  enableControllers(['memory']);
  const dir = join(CGROUP_ROOT, `metassembly-v2-oom-${process.pid}`);
  let proc: Child | undefined;
  let watch: { close(): void } | undefined;
  try {
    mkdirSync(dir);
    writeFileSync(join(dir, 'memory.max'), String(16 * MiB));
    writeFileSync(join(dir, 'memory.swap.max'), '0');
    // tail keeps the last 10 lines; /dev/zero has no newline, so it buffers without end.
    proc = heldChild('exec tail /dev/zero');
    writeFileSync(join(dir, 'cgroup.procs'), String(proc.pid));
    const manager = await cgroupManagerForPid(proc.pid!, { sys: noEventfd });
    let ooms = 0;
    watch = await manager.watchOom(() => ooms++);
    assert.is(ooms, 0, 'no kill before the hog starts');
    release(proc);
    assert.is(await proc.exited, 'SIGKILL');
    await until(() => ooms > 0, 'the OOM notification');
    assert.ok((await manager.oomKillCount()) >= 1);
    const metrics = (await manager.stats()).metrics as V2Metrics;
    assert.ok(Number(metrics.memoryEvents!.oomKill) >= 1, `oom_kill ${metrics.memoryEvents!.oomKill}`);
    assert.ok(Number(metrics.memoryEvents!.max) >= 1, `max ${metrics.memoryEvents!.max}`);
  } finally {
    watch?.close();
    await cleanUp(proc, [dir]);
  }
});

test.run();
