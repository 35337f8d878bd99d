/**
 * Node partitions through the real chain on cgroup v2 (the emulated guest): two partitions,
 * each with its own containerd 1.6 started by scripts/partition-containerd.sh and our shim
 * serving it with its default hardening (each pod in a user namespace of its own). Each container's cgroup sits under its partition's `.pods`; a memory hog in a
 * is OOM-killed inside a (TaskOOM event, exit 137) while b's container runs on under its own
 * limit; a fork bomb fills a's pods' pids.max and the shim, in a's `.system`, still kills it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { busyboxRootfs, busyboxRunFlags, leakCheck, makeScratchDir, removeScratchDir, testNamespace, type RunResult } from '../e2e/harness';
import { eventually } from '../e2e/support/eventually';
import { shimDaemons } from '../e2e/support/shim-processes';
import { createPartition, partitionCommand, removeTask, startPartitionContainerd, type PartitionContainerd, type PartitionInfo } from '../e2e/support/partition-node';
import { CGROUP_ROOT, skipUnlessV2 } from './support/guest';

const runtime = 'io.containerd.metassembly.v2';
const MiB = 1024 * 1024;
// Every step is slow under software emulation: a Node shim start is a few seconds there.
const ctrTimeoutMs = 120_000;
const pidsA = 256;

function ok(r: RunResult, what: string): RunResult {
  assert.equal(r.code, 0, `${what}: ${r.stdout}${r.stderr}`);
  return r;
}

const readCg = (path: string, file: string): string => readFileSync(join(CGROUP_ROOT, path, file), 'utf8').trim();
const cgroupOf = (pid: number): string => readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().replace(/^0::/, '');

/** Through the partition's shim, with its default hardening; `rootfs` is the copy on ext4. */
function runFlags(part: PartitionInfo, rootfs: string, extra: string[] = []): string[] {
  // busyboxRunFlags ends with the shared fixture's path: the copy goes in its place.
  return ['--runtime', runtime, '--runtime-config-path', part.paths.shimConfig, ...extra, ...busyboxRunFlags().slice(0, -1), rootfs];
}

async function task(cd: PartitionContainerd, id: string): Promise<{ pid: number; status: string } | undefined> {
  const out = ok(await cd.ctr(['task', 'ls'], ctrTimeoutMs), 'task ls').stdout;
  for (const line of out.split('\n').slice(1)) {
    const [name, pid, status] = line.trim().split(/\s+/);
    if (name === id) return { pid: Number(pid), status: status ?? '' };
  }
  return undefined;
}

test('two partitions through containerd and the shim on cgroup v2: placement, OOM and a fork bomb stay inside', async () => {
  if (skipUnlessV2()) return;
  const nameA = `mv${process.pid}a`;
  const nameB = `mv${process.pid}b`;
  const check = leakCheck({ tags: [nameA, nameB] });
  const scratch = makeScratchDir();
  const rootfs = join(scratch, 'rootfs');
  const daemons: PartitionContainerd[] = [];
  const running: Array<[PartitionContainerd, string]> = [];
  let leaks: string[] = [];
  try {
    const online = readFileSync('/sys/devices/system/cpu/online', 'utf8').trim();
    const last = online.split(/[-,]/).at(-1)!;
    const a = await createPartition(scratch, nameA, ['--cpus', '0', '--memory', '1GiB', '--pids', String(pidsA)]);
    const b = await createPartition(scratch, nameB, ['--cpus', last, '--memory', '1GiB']);
    // The pods' user namespaces need an idmappable rootfs: a copy on the guest's ext4 /tmp.
    execFileSync('cp', ['-a', busyboxRootfs(), rootfs]);
    const cdA = await startPartitionContainerd(scratch, a, 120_000);
    daemons.push(cdA);
    const cdB = await startPartitionContainerd(scratch, b, 120_000);
    daemons.push(cdB);

    // b: a steady container under its own memory limit.
    const bLimit = 128 * MiB;
    ok(await cdB.ctr(['run', '-d', ...runFlags(b, rootfs, ['--memory-limit', String(bLimit)]), 'steady', 'sleep', '600'], ctrTimeoutMs), 'run steady');
    running.push([cdB, 'steady']);
    const steady = (await task(cdB, 'steady'))!;
    const steadyCg = cgroupOf(steady.pid);
    assert.match(steadyCg, new RegExp(`^/metassembly\\.slice/${nameB}/\\.pods/[^/]+/steady$`));
    assert.is(readCg(steadyCg, 'memory.max'), String(bLimit));

    // a: a container that stays, served by a's one shim daemon.
    ok(await cdA.ctr(['run', '-d', ...runFlags(a, rootfs), 'keep', 'sleep', '600'], ctrTimeoutMs), 'run keep');
    running.push([cdA, 'keep']);
    assert.match(cgroupOf((await task(cdA, 'keep'))!.pid), new RegExp(`^/metassembly\\.slice/${nameA}/\\.pods/[^/]+/keep$`));
    const daemonsOfA = () => shimDaemons(testNamespace).filter((p) => p.cmdline.includes(a.paths.runDir)).map((p) => p.pid);
    const served = daemonsOfA();
    assert.is(served.length, 1, `shim daemons of ${nameA}: ${served.join(' ')}`);
    assert.match(cgroupOf(served[0]!), new RegExp(`^/metassembly\\.slice/${nameA}/\\.system$`));

    // A memory hog in a: exit 137 and /tasks/oom; b's container runs on, its limit unchanged.
    const stopEvents = cdA.events();
    await new Promise((r) => setTimeout(r, 3_000)); // let ctr events subscribe (slow under emulation)
    const hog = await cdA.ctr(['run', '--rm', ...runFlags(a, rootfs, ['--memory-limit', String(64 * MiB)]), 'hog', 'tail', '/dev/zero'], ctrTimeoutMs);
    assert.equal(hog.code, 137, hog.stderr);
    await new Promise((r) => setTimeout(r, 2_000)); // the event may trail the exit
    const seen = await stopEvents();
    assert.ok(seen.includes('/tasks/oom'), `ctr events:\n${seen}`);
    assert.is((await task(cdB, 'steady'))?.status, 'RUNNING');
    assert.is(readCg(steadyCg, 'memory.max'), String(bLimit));
    assert.match(readCg(`/metassembly.slice/${nameB}`, 'memory.events'), /\noom_kill 0\n/);

    // A fork bomb fills every pid a's pods have; the shim, in a's .system, still forks runc to kill it.
    const pods = `/metassembly.slice/${nameA}/.pods`;
    const podsMax = Number(readCg(pods, 'pids.max'));
    assert.ok(podsMax < pidsA, `a's pods get less than its ${pidsA} pids: ${podsMax}`);
    // A shell exits when a fork fails, and an init's exit ends its pid namespace: the loop runs
    // in a child, and the init then holds the filled pids with an exec, which needs no fork.
    const bomb = 'sh -c "while :; do sleep 600 & done"; exec sleep 3600';
    ok(await cdA.ctr(['run', '-d', ...runFlags(a, rootfs), 'bomb', 'sh', '-c', bomb], ctrTimeoutMs), 'run bomb');
    running.push([cdA, 'bomb']);
    await eventually(async () => Number(readCg(pods, 'pids.current')), (n) => n >= podsMax - 1, {
      timeoutMs: 120_000,
      what: `the bomb to fill ${pods} (pids.max ${podsMax})`,
    });
    assert.ok(Number(readCg(`/metassembly.slice/${nameA}`, 'pids.current')) <= pidsA);
    await removeTask(cdA, 'bomb', 60_000, ctrTimeoutMs);
    running.pop();
    assert.equal(daemonsOfA(), served, 'the same shim daemon served the bomb and its kill');
    assert.match(ok(await cdA.ctr(['run', '--rm', ...runFlags(a, rootfs), 'after', 'echo', 'room again'], ctrTimeoutMs), 'run after').stdout, /room again/);

    for (const [cd, id] of running.splice(0).reverse()) await removeTask(cd, id, 60_000, ctrTimeoutMs);
  } finally {
    for (const [cd, id] of running) await cd.ctr(['task', 'kill', '--signal', 'SIGKILL', id], ctrTimeoutMs);
    for (const cd of daemons) await cd.stop();
    for (const name of [nameA, nameB]) await partitionCommand(scratch, ['delete', name, '--force']);
    removeScratchDir(scratch);
    leaks = check.leaks();
    await check.cleanup();
  }
  assert.equal(leaks, []);
});

test.run();
