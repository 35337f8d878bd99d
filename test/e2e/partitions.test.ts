import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { busyboxRunFlags, leakCheck, makeScratchDir, removeScratchDir, testNamespace, type RunResult } from './harness';
import { eventually } from './support/eventually';
import { shimDaemons } from './support/shim-processes';
import {
  cgroupOf,
  createPartition,
  inBatches,
  partitionCommand,
  removeTask,
  startPartitionContainerd,
  type PartitionContainerd,
  type PartitionInfo,
} from './support/partition-node';

// Two node partitions on one host, each with its own containerd 1.6: one shim daemon serves
// all of a partition's containers, inside the partition's cgroup, and what goes wrong in one
// container (a crash, an OOM, a fork bomb) stays inside it and its partition. The bomb fills
// all the pids the partition's pods have, and the shim still kills it: the daemons' share is
// kept for them by the pods' own cgroup.
const runtime = 'io.containerd.metassembly.v2';
const MiB = 1024 * 1024;
// Room for 50 sleeps plus containerd's and the shim's threads.
const pidsA = 256;

function ok(r: RunResult, what: string): RunResult {
  assert.equal(r.code, 0, `${what}: ${r.stdout}${r.stderr}`);
  return r;
}

function readCg(controller: string, path: string, file: string): string {
  return readFileSync(`/sys/fs/cgroup/${controller}${path}/${file}`, 'utf8').trim();
}

function runFlags(part: PartitionInfo, extra: string[] = []): string[] {
  return ['--runtime', runtime, '--runtime-config-path', part.paths.shimConfig, ...extra, ...busyboxRunFlags()];
}

async function taskPids(cd: PartitionContainerd): Promise<Map<string, { pid: number; status: string }>> {
  const out = ok(await cd.ctr(['task', 'ls']), 'task ls').stdout;
  const tasks = new Map<string, { pid: number; status: string }>();
  for (const line of out.split('\n').slice(1)) {
    const [id, pid, status] = line.trim().split(/\s+/);
    if (id) tasks.set(id, { pid: Number(pid), status: status ?? '' });
  }
  return tasks;
}

function daemonsOf(part: PartitionInfo): number[] {
  return shimDaemons(testNamespace)
    .filter((p) => p.cmdline.includes(part.paths.runDir))
    .map((p) => p.pid);
}

/** Kills, waits for and deletes tasks, then deletes their containers; a few ctr calls at a time. */
async function teardown(cd: PartitionContainerd, ids: string[]): Promise<void> {
  await inBatches(ids, 6, (id) => removeTask(cd, id, 10_000));
}

test('two partitions: one shim per partition, a crash, an OOM and a fork bomb stay contained', async () => {
  const nameA = `mt${process.pid}a`;
  const nameB = `mt${process.pid}b`;
  const check = leakCheck({ tags: [nameA, nameB] });
  const scratch = makeScratchDir();
  const daemons: PartitionContainerd[] = [];
  const cleanups: string[] = [];
  let leaks: string[] = [];
  try {
    const a = await createPartition(scratch, nameA, ['--cpus', '0', '--memory', '1GiB', '--pids', String(pidsA)]);
    const b = await createPartition(scratch, nameB, ['--cpus', '1', '--memory', '1GiB']);
    const cdA = await startPartitionContainerd(scratch, a);
    daemons.push(cdA);
    const cdB = await startPartitionContainerd(scratch, b);
    daemons.push(cdB);

    // 1. Fifty containers, one shim daemon, each in <partition>/.pods/<pod>/<container>.
    const ids = Array.from({ length: 50 }, (_, i) => `many${i}`);
    await inBatches(ids, 5, async (id) => ok(await cdA.ctr(['run', '-d', ...runFlags(a), id, 'sleep', '300']), `run ${id}`));
    const tasks = await taskPids(cdA);
    const served = daemonsOf(a);
    assert.equal(served.length, 1, `shim daemons of ${nameA}: ${served.join(' ')}`);
    for (const id of ids) {
      const t = tasks.get(id);
      assert.ok(t && t.status === 'RUNNING', `${id}: ${JSON.stringify(t)}`);
      const cg = cgroupOf(t.pid, 'memory');
      assert.match(cg, new RegExp(`^/metassembly\\.slice/${nameA}/\\.pods/[^/]+/${id}$`), `${id} in ${cg}`);
    }
    await teardown(cdA, ids);
    assert.equal((await taskPids(cdA)).size, 0);

    // 2. A crash is the container's exit status, not the shim's end.
    ok(await cdA.ctr(['run', '-d', ...runFlags(a), 'keep', 'sleep', '300']), 'run keep');
    cleanups.push('keep');
    const daemon = daemonsOf(a);
    // The container's init ignores signals it has no handler for (pid 1 of its namespace), so
    // the crash is a child's, and the init passes its status on as the container's.
    const crash = await cdA.ctr(['run', '--rm', ...runFlags(a), 'crash', 'sh', '-c', 'sh -c \'kill -SEGV $$\'; exit $?'], 30_000);
    assert.equal(crash.code, 139, crash.stderr);
    assert.equal((await taskPids(cdA)).get('keep')?.status, 'RUNNING');
    assert.equal(daemonsOf(a), daemon);

    // 3. An OOM in A: exit 137 and a /tasks/oom event; B's container and its limit are untouched.
    const bLimit = 128 * MiB;
    ok(await cdB.ctr(['run', '-d', ...runFlags(b, ['--memory-limit', String(bLimit)]), 'steady', 'sleep', '300']), 'run steady');
    const stopEvents = cdA.events();
    await new Promise((r) => setTimeout(r, 300)); // let ctr events subscribe
    const hog = await cdA.ctr(['run', '--rm', ...runFlags(a, ['--memory-limit', String(64 * MiB)]), 'hog', 'tail', '/dev/zero'], 60_000);
    assert.equal(hog.code, 137, hog.stderr);
    await new Promise((r) => setTimeout(r, 500)); // the event may trail the exit
    const seen = await stopEvents();
    assert.ok(seen.includes('/tasks/oom'), `ctr events:\n${seen}`);
    const steady = (await taskPids(cdB)).get('steady');
    assert.equal(steady?.status, 'RUNNING');
    const steadyCg = cgroupOf(steady!.pid, 'memory');
    assert.match(steadyCg, new RegExp(`^/metassembly\\.slice/${nameB}/`));
    assert.equal(Number(readCg('memory', steadyCg, 'memory.limit_in_bytes')), bLimit);
    await teardown(cdB, ['steady']);

    // 4. A fork bomb fills every pid A's pods have; the shim, in .system, still forks runc to kill it.
    const podsPids = `/metassembly.slice/${nameA}/.pods`;
    const podsMax = Number(readCg('pids', podsPids, 'pids.max'));
    assert.ok(podsMax < pidsA, `the pods get less than the partition's ${pidsA} pids: ${podsMax}`);
    // A shell exits when a fork fails, and an init's exit ends its pid namespace: the loop runs
    // in a child, and the init then holds the filled pids with an exec, which needs no fork.
    const bomb = 'sh -c "while :; do sleep 300 & done"; exec sleep 3600';
    ok(await cdA.ctr(['run', '-d', ...runFlags(a), 'bomb', 'sh', '-c', bomb]), 'run bomb');
    cleanups.push('bomb');
    await eventually(
      async () => Number(readCg('pids', podsPids, 'pids.current')),
      (n) => n >= podsMax - 1,
      { timeoutMs: 60_000, what: `the bomb to fill ${podsPids} (pids.max ${podsMax})` },
    );
    assert.ok(Number(readCg('pids', `/metassembly.slice/${nameA}`, 'pids.current')) <= pidsA);
    const full = await taskPids(cdA);
    assert.equal(full.get('keep')?.status, 'RUNNING');
    assert.equal(full.get('bomb')?.status, 'RUNNING');
    await teardown(cdA, ['bomb']);
    cleanups.splice(cleanups.indexOf('bomb'), 1);
    assert.equal(daemonsOf(a), daemon, 'the same shim daemon served the bomb and its kill');
    const after = ok(await cdA.ctr(['run', '--rm', ...runFlags(a), 'after', 'echo', 'room again']), 'run after the bomb');
    assert.match(after.stdout, /room again/);

    await teardown(cdA, ['keep']);
    cleanups.length = 0;
  } finally {
    for (const cd of daemons) for (const id of cleanups) await cd.ctr(['task', 'kill', '--signal', 'SIGKILL', id]);
    for (const cd of daemons) await cd.stop();
    for (const name of [nameA, nameB]) await partitionCommand(scratch, ['delete', name, '--force']);
    removeScratchDir(scratch);
    leaks = check.leaks();
    await check.cleanup();
  }
  assert.equal(leaks, []);
});

test.run();
