/**
 * Against this host's real cgroupfs (root, controllers on v1, cgroup2 at
 * /sys/fs/cgroup/unified). Each test makes its own cgroups, puts a child of
 * its own in them, and removes both; it skips where the host cannot do it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CgroupV2Manager, cgroupManagerForPid, detectCgroupMode, type OomSys, type V1Metrics, type V2Metrics } from '../../../src/cgroups';
import { NotFoundError } from '../../../src/errors';
import { NativeSys } from '../../../src/sys';

const ROOT = '/sys/fs/cgroup';
const ADDON = join(__dirname, '../../../../native/build/Release/sys.node');
const unusedSys: OomSys = {
  eventfd: () => assert.unreachable('stats need no eventfd') as never,
  watchEventfd: () => assert.unreachable('stats need no eventfd') as never,
};

function skipUnless(ok: boolean, why: string): boolean {
  if (!ok) console.log(`  (skipped: ${why})`);
  return !ok;
}

const onV1Host = () => process.getuid?.() === 0 && existsSync(join(ROOT, 'memory/cgroup.procs')) && detectCgroupMode(ROOT) !== 'v2';

/** A shell that waits for a line on stdin, then runs `script` (so its work happens after it was moved). */
function child(script: string): ChildProcess & { exited: Promise<NodeJS.Signals | number | null> } {
  const proc = spawn('sh', ['-c', `read line; ${script}`], { stdio: ['pipe', 'ignore', 'ignore'] });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => proc.once('exit', (code, signal) => resolve(signal ?? code)));
  return Object.assign(proc, { exited });
}

async function until(condition: () => boolean, what: string, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const comm = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
};

/** Kills the child, waits until it is reaped (so its cgroups are empty), removes the cgroups. */
async function cleanUp(proc: ReturnType<typeof child> | undefined, dirs: string[]): Promise<void> {
  if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  if (proc) await proc.exited;
  for (const dir of dirs) {
    for (let attempt = 0; existsSync(dir); attempt++) {
      try {
        rmdirSync(dir);
      } catch (err) {
        // A reaped task can linger in cgroup.procs for a moment.
        if ((err as NodeJS.ErrnoException).code !== 'EBUSY' || attempt > 50) throw err;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }
}

test('v1: stats, pids and OOM count of a real memory+cpuacct+pids cgroup', async () => {
  if (skipUnless(onV1Host(), 'needs root and cgroup v1 controllers')) return;
  const name = `metassembly-test-${process.pid}`;
  const dirs = ['memory', 'cpuacct', 'pids'].map((controller) => join(ROOT, controller, name));
  let proc: ReturnType<typeof child> | undefined;
  try {
    for (const dir of dirs) mkdirSync(dir);
    // Busy for a moment, then sleep: CPU time and fresh pages are charged to the new cgroup.
    proc = child('i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exec sleep 30');
    for (const dir of dirs) writeFileSync(join(dir, 'cgroup.procs'), String(proc.pid));
    proc.stdin!.end('go\n');
    await until(() => comm(proc!.pid!) === 'sleep', 'the child to exec sleep');

    const manager = await cgroupManagerForPid(proc.pid!, { sys: unusedSys });
    assert.is(manager.version, 1);
    const stats = await manager.stats();
    assert.is(stats.typeUrl, 'io.containerd.cgroups.v1.Metrics');
    const metrics = stats.metrics as V1Metrics;
    assert.ok(Number(metrics.memory!.usage!.usage) > 0, 'memory usage > 0');
    assert.ok(Number(metrics.cpu!.usage.total) > 0, 'cpu usage > 0');
    assert.is(metrics.cpu!.usage.perCpu.length > 0, true);
    assert.equal(metrics.pids, { current: 1, limit: 0 });
    assert.is(metrics.memory!.usage!.limit, '9223372036854771712');
    assert.equal(metrics.memoryOomControl, { oomKillDisable: 0, underOom: 0, oomKill: 0 });
    assert.equal(await manager.pids(), [proc.pid]);
    assert.is(await manager.oomKillCount(), 0);
  } finally {
    await cleanUp(proc, dirs);
  }
});

test('v1: the OOM killer in a real memory cgroup fires watchOom (native eventfd)', async () => {
  if (skipUnless(onV1Host(), 'needs root and cgroup v1 controllers')) return;
  if (skipUnless(existsSync(ADDON), `the native module is not built (${ADDON})`)) return;
  const dir = join(ROOT, 'memory', `metassembly-oom-${process.pid}`);
  let proc: ReturnType<typeof child> | undefined;
  let watch: { close(): void } | undefined;
  try {
    mkdirSync(dir);
    writeFileSync(join(dir, 'memory.limit_in_bytes'), String(16 * 1024 * 1024));
    // tail keeps the last 10 lines; /dev/zero has no newline, so it buffers without end.
    proc = child('exec tail /dev/zero');
    writeFileSync(join(dir, 'cgroup.procs'), String(proc.pid));
    const manager = await cgroupManagerForPid(proc.pid!, { sys: new NativeSys() });
    let ooms = 0;
    watch = await manager.watchOom(() => ooms++);
    proc.stdin!.end('go\n');
    assert.is(await proc.exited, 'SIGKILL');
    await until(() => ooms > 0, 'the OOM notification');
    assert.ok((await manager.oomKillCount()) >= 1);
    const metrics = (await manager.stats()).metrics as V1Metrics;
    assert.ok(Number(metrics.memoryOomControl!.oomKill) >= 1);
  } finally {
    watch?.close();
    await cleanUp(proc, [dir]);
  }
});

test('v2: stats and pids of a real cgroup on the unified mount (cpu only: no controllers are delegated there)', async () => {
  const unified = join(ROOT, 'unified');
  if (skipUnless(process.getuid?.() === 0 && existsSync(join(unified, 'cgroup.controllers')), 'needs root and a cgroup2 mount at /sys/fs/cgroup/unified')) return;
  const dir = join(unified, `metassembly-test-${process.pid}`);
  let proc: ReturnType<typeof child> | undefined;
  try {
    mkdirSync(dir);
    proc = child('i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exec sleep 30');
    writeFileSync(join(dir, 'cgroup.procs'), String(proc.pid));
    proc.stdin!.end('go\n');
    await until(() => comm(proc!.pid!) === 'sleep', 'the child to exec sleep');

    const manager = new CgroupV2Manager(dir);
    const stats = await manager.stats();
    assert.is(stats.typeUrl, 'io.containerd.cgroups.v2.Metrics');
    const metrics = stats.metrics as V2Metrics;
    assert.ok(Number(metrics.cpu!.usageUsec) > 0, 'cpu usage > 0');
    assert.is(metrics.memory, undefined);
    assert.equal(await manager.pids(), [proc.pid]);
    await manager.watchOom(() => {}).then(
      () => assert.unreachable('no memory controller there'),
      (err) => assert.instance(err, NotFoundError),
    );
  } finally {
    await cleanUp(proc, [dir]);
  }
});

test.run();
