/**
 * Partition cgroups on this host's real cgroup v1 hierarchies (root): what the kernel
 * makes of the limits, a process in the partition's .system leaf confined to its CPUs,
 * pids.max stopping a fork loop, pods that fill .pods leaving .system the pids it keeps for
 * itself, a pod cgroup starting with the partition's cpuset, and
 * removal: refused while occupied, forced (kill, then rmdir bottom-up in every hierarchy).
 * Everything lives under a slice of this test's own and is removed at the end.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { V1PartitionCgroups, detectCgroupMode, type CgroupLimits } from '../../../src/cgroups';
import { FailedPreconditionError } from '../../../src/errors';

const ROOT = '/sys/fs/cgroup';
const SLICE = `metassembly-t${process.pid}.slice`;
const PATH = `/${SLICE}/p0`;
const onV1Host = () => process.getuid?.() === 0 && existsSync(join(ROOT, 'cpuset/cgroup.procs')) && detectCgroupMode(ROOT) !== 'v2';

function skip(): boolean {
  if (onV1Host()) return false;
  console.log('  (skipped: needs root on a cgroup v1 or hybrid host)');
  return true;
}

/** The last online CPU: a partition of one CPU that is not CPU 0. */
function lastCpu(): number {
  const online = readFileSync('/sys/devices/system/cpu/online', 'utf8').trim();
  return Number(online.split(/[-,]/).at(-1));
}

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8').trim();

/** Removes whatever this test left in any hierarchy (the slice itself is never removed by remove()). */
function removeSlice(): void {
  for (const h of readdirSync(ROOT)) {
    const dir = join(ROOT, h, SLICE);
    if (existsSync(dir)) rmdirSync(dir);
  }
}

function sleeper(seconds = 60) {
  const child = spawn('sleep', [String(seconds)], { stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  return Object.assign(child, { exited });
}

test('create: the kernel holds the limits; a process in .system runs on the partition CPU only', async () => {
  if (skip()) return;
  const cpu = lastCpu();
  const limits: CgroupLimits = {
    cpus: String(cpu),
    mems: '0',
    memoryMax: 512 << 20,
    memoryHigh: 480 << 20,
    pidsMax: 64,
    cpuWeight: 200,
    ioWeight: 100,
    pods: { memoryMax: 256 << 20, pidsMax: 48 },
  };
  const cgroups = new V1PartitionCgroups(ROOT);
  const child = sleeper();
  try {
    const info = await cgroups.create(PATH, limits);
    assert.is(read(`cpuset/${SLICE}/p0/cpuset.cpus`), String(cpu));
    assert.is(read(`cpuset/${SLICE}/p0/cpuset.mems`), '0');
    assert.is(read(`memory/${SLICE}/p0/memory.limit_in_bytes`), String(512 << 20));
    assert.is(read(`memory/${SLICE}/p0/memory.soft_limit_in_bytes`), String(480 << 20));
    assert.is(read(`pids/${SLICE}/p0/pids.max`), '64');
    assert.is(read(`cpu/${SLICE}/p0/cpu.shares`), '2048');
    assert.is(read(`memory/${SLICE}/p0/.pods/memory.limit_in_bytes`), String(256 << 20));
    assert.is(read(`pids/${SLICE}/p0/.pods/pids.max`), '48');
    // A pod cgroup made below (as runc does) starts with the partition's cpuset: clone_children.
    mkdirSync(join(ROOT, 'cpuset', SLICE, 'p0', '.pods', 'pod1'));
    assert.is(read(`cpuset/${SLICE}/p0/.pods/pod1/cpuset.cpus`), String(cpu));

    for (const procs of info.systemProcs) writeFileSync(procs, String(child.pid));
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    assert.match(status, new RegExp(`\\nCpus_allowed_list:\\s+${cpu}\\n`));
    assert.match(readFileSync(`/proc/${child.pid}/cgroup`, 'utf8'), new RegExp(`:memory:/${SLICE}/p0/.system\\n`));
    assert.equal(await cgroups.occupancy(PATH), { pids: [child.pid!], children: ['pod1'] });

    await cgroups.remove(PATH, { force: false }).then(
      () => assert.unreachable('removed while occupied'),
      (err: Error) => {
        assert.instance(err, FailedPreconditionError);
        assert.match(err.message, new RegExp(`still has 1 pod cgroup \\(pod1\\) and 1 process \\(${child.pid}\\)`));
      },
    );
    assert.ok(existsSync(join(ROOT, 'memory', SLICE, 'p0')), 'refusal leaves it all');
    await cgroups.remove(PATH, { force: true });
    assert.is(await child.exited, 'SIGKILL');
    for (const h of ['cpuset', 'cpu', 'cpuacct', 'memory', 'pids', 'blkio']) assert.not.ok(existsSync(join(ROOT, h, SLICE, 'p0')), h);
    assert.not.ok(await cgroups.exists(PATH));
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await cgroups.remove(PATH, { force: true }).catch(() => undefined);
    removeSlice();
  }
});

test('pids.max of the partition stops a fork loop inside it', async () => {
  if (skip()) return;
  const cgroups = new V1PartitionCgroups(ROOT);
  try {
    const info = await cgroups.create(PATH, { cpus: '0', mems: '0', memoryMax: 512 << 20, memoryHigh: 480 << 20, pidsMax: 10, cpuWeight: 100, ioWeight: 100, pods: { memoryMax: 256 << 20, pidsMax: 8 } });
    // The shell waits for a line, so it is inside the partition before it forks.
    const sh = spawn('sh', ['-c', 'read line; n=0; for i in $(seq 30); do sleep 30 & n=$((n+1)); done; echo started; sleep 30'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const exited = new Promise((resolve) => sh.once('exit', resolve));
    let errors = '';
    sh.stderr!.on('data', (d) => (errors += d));
    for (const procs of info.systemProcs) writeFileSync(procs, String(sh.pid));
    sh.stdin!.write('go\n');
    const deadline = Date.now() + 10_000;
    while (!/fork|Resource temporarily unavailable/i.test(errors) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.match(errors, /fork|Resource temporarily unavailable/i);
    assert.ok(Number(read(`pids/${SLICE}/p0/pids.current`)) <= 10);
    await cgroups.remove(PATH, { force: true });
    await exited;
  } finally {
    await cgroups.remove(PATH, { force: true }).catch(() => undefined);
    removeSlice();
  }
});

test('pods that fill .pods leave the daemons in .system the pids the partition keeps for them', async () => {
  if (skip()) return;
  const cgroups = new V1PartitionCgroups(ROOT);
  const pods = (controller: string) => join(ROOT, controller, SLICE, 'p0', '.pods');
  try {
    const info = await cgroups.create(PATH, { cpus: '0', mems: '0', memoryMax: 512 << 20, memoryHigh: 480 << 20, pidsMax: 24, cpuWeight: 100, ioWeight: 100, pods: { memoryMax: 256 << 20, pidsMax: 8 } });
    // A fork loop in the pods' cgroup, as a container's would be.
    const bomb = spawn('sh', ['-c', 'read line; for i in $(seq 40); do sleep 30 & done; echo started; sleep 30'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let errors = '';
    bomb.stderr!.on('data', (d) => (errors += d));
    for (const controller of ['cpuset', 'cpu', 'memory', 'pids']) writeFileSync(join(pods(controller), 'cgroup.procs'), String(bomb.pid));
    bomb.stdin!.write('go\n');
    const deadline = Date.now() + 10_000;
    while (!/fork|Resource temporarily unavailable/i.test(errors) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.match(errors, /fork|Resource temporarily unavailable/i);
    assert.ok(Number(read(`pids/${SLICE}/p0/.pods/pids.current`)) <= 8, 'the pods stop at their own pids.max');

    // A daemon in .system still forks what it needs (runc kill, in the shim's case).
    const daemon = spawn('sh', ['-c', 'read line; /bin/echo forked; true'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    daemon.stdout!.on('data', (d) => (out += d));
    const daemonExit = new Promise((resolve) => daemon.once('exit', resolve));
    for (const procs of info.systemProcs) writeFileSync(procs, String(daemon.pid));
    daemon.stdin!.write('go\n');
    assert.is(await daemonExit, 0);
    assert.is(out.trim(), 'forked');
  } finally {
    await cgroups.remove(PATH, { force: true }).catch(() => undefined);
    removeSlice();
  }
});

test.run();
