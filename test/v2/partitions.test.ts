/**
 * Node partitions on a real cgroup v2 host (the emulated guest), through the partition
 * commands: two partitions made with their controllers delegated top-down and their
 * limits in place, the no-internal-processes rule that puts daemons in `.system`, a memory
 * hog OOM-killed inside its own partition while the other's process runs on, a fork loop
 * stopped at pids.max, delete refused while occupied and forced. Everything lives under a
 * slice of this test's own and is removed at the end.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PartitionEnv } from '../../src/bootstrap/partition-actions';
import { partitionCommand } from '../../src/bootstrap/partition-command';
import { FailedPreconditionError } from '../../src/errors';
import { heldChild, release, until, type Child } from './support/cgroup-child';
import { CGROUP_ROOT, skipUnlessV2 } from './support/guest';

const SLICE = `metassembly-t${process.pid}.slice`;
const MiB = 1024 * 1024;
const read = (path: string) => readFileSync(join(CGROUP_ROOT, SLICE, path), 'utf8').trim();
const events = (path: string) => Number(/oom_kill (\d+)/.exec(read(`${path}/memory.events`))![1]);

test('two partitions on cgroup v2: limits, delegation, OOM and pids inside each, delete', async () => {
  if (skipUnlessV2()) return;
  const base = mkdtempSync(join(tmpdir(), 'mpv2-'));
  const env: PartitionEnv = {
    dirs: { stateDir: join(base, 'state'), runDir: join(base, 'run') },
    cgroupRoot: CGROUP_ROOT,
    hostRoot: '/',
    slice: `/${SLICE}`,
    out: () => undefined,
  };
  const online = readFileSync('/sys/devices/system/cpu/online', 'utf8').trim();
  const last = online.split(/[-,]/).at(-1)!;
  const children: Child[] = [];
  try {
    await partitionCommand(['create', 'a', '--cpus', '0', '--memory', '1GiB'], env);
    await partitionCommand(['create', 'b', '--cpus', last, '--memory', '512MiB', '--pids', '40', '--mode', 'refuse'], env);

    // Delegation top-down: root -> slice -> partition, each enabling the controllers for the next.
    const enabled = (dir: string) => readFileSync(join(dir, 'cgroup.subtree_control'), 'utf8').trim().split(/\s+/);
    for (const dir of [CGROUP_ROOT, join(CGROUP_ROOT, SLICE), join(CGROUP_ROOT, SLICE, 'a'), join(CGROUP_ROOT, SLICE, 'b')]) {
      for (const c of ['cpuset', 'cpu', 'memory', 'pids']) assert.ok(enabled(dir).includes(c), `${c} delegated in ${dir}`);
    }
    assert.is(read('a/cpuset.cpus'), '0');
    assert.is(read('a/cpuset.cpus.effective'), '0');
    assert.is(read('a/cpuset.mems'), '0');
    assert.is(read('a/memory.max'), String(1024 * MiB));
    assert.is(read('a/memory.high'), String(Math.floor((1024 * MiB * 0.95) / 4096) * 4096));
    assert.is(read('a/cpu.weight'), '100');
    assert.is(read('b/cpuset.cpus.effective'), last);
    assert.is(read('b/memory.max'), String(512 * MiB));
    assert.is(read('b/pids.max'), '40');
    assert.ok(existsSync(join(CGROUP_ROOT, SLICE, 'a', '.system', 'cgroup.procs')));

    // A daemon of partition a, in its .system leaf, on a's CPU only.
    const daemon = heldChild('exec sleep 300');
    children.push(daemon);
    // v2: a cgroup that delegates controllers takes no processes of its own.
    assert.throws(() => writeFileSync(join(CGROUP_ROOT, SLICE, 'a', 'cgroup.procs'), String(daemon.pid)), /EBUSY/);
    writeFileSync(join(CGROUP_ROOT, SLICE, 'a', '.system', 'cgroup.procs'), String(daemon.pid));
    release(daemon);
    assert.is(readFileSync(`/proc/${daemon.pid}/cgroup`, 'utf8').trim(), `0::/${SLICE}/a/.system`);
    assert.match(readFileSync(`/proc/${daemon.pid}/status`, 'utf8'), /\nCpus_allowed_list:\s+0\n/);

    // A memory hog in partition b: killed inside b; a's process runs on, a's count stays 0.
    writeFileSync(join(CGROUP_ROOT, SLICE, 'b', 'memory.swap.max'), '0');
    const hog = heldChild('exec dd if=/dev/zero of=/dev/null bs=700M count=1');
    children.push(hog);
    writeFileSync(join(CGROUP_ROOT, SLICE, 'b', '.system', 'cgroup.procs'), String(hog.pid));
    release(hog);
    assert.is(await hog.exited, 'SIGKILL');
    assert.ok(events('b') >= 1, `b oom_kill ${events('b')}`);
    assert.is(events('a'), 0);
    assert.is(daemon.exitCode, null);
    assert.is(daemon.signalCode, null);

    // A fork loop in b stops at b's pids.max.
    const forker = spawn('sh', ['-c', 'read line; for i in $(seq 60); do sleep 30 & done; echo done'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let errors = '';
    forker.stderr!.on('data', (d) => (errors += d));
    writeFileSync(join(CGROUP_ROOT, SLICE, 'b', '.system', 'cgroup.procs'), String(forker.pid));
    forker.stdin!.end('go\n');
    await until(() => /fork|Resource temporarily unavailable/i.test(errors), 'a fork to fail at pids.max', 60_000);
    assert.ok(Number(read('b/pids.current')) <= 40);
    // Where the refusal is counted moved between kernels (the forking cgroup, or the limiting one).
    const refusals = (path: string) => Number(/max (\d+)/.exec(read(`${path}/pids.events`))![1]);
    assert.ok(refusals('b') + refusals('b/.system') >= 1);

    await partitionCommand(['delete', 'a'], env).then(
      () => assert.unreachable('deleted while a daemon runs in it'),
      (err: Error) => {
        assert.instance(err, FailedPreconditionError);
        assert.match(err.message, new RegExp(`^partition a still has 1 process \\(${daemon.pid}\\)`));
      },
    );
    // Forced: cgroup.kill takes the whole subtree (b's forked sleeps too), then rmdir bottom-up.
    await partitionCommand(['delete', 'a', '--force'], env);
    await partitionCommand(['delete', 'b', '--force'], env);
    assert.is(await daemon.exited, 'SIGKILL');
    assert.not.ok(existsSync(join(CGROUP_ROOT, SLICE, 'a')));
    assert.not.ok(existsSync(join(CGROUP_ROOT, SLICE, 'b')));
  } finally {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const name of ['a', 'b']) await partitionCommand(['delete', name, '--force'], env).catch(() => undefined);
    if (existsSync(join(CGROUP_ROOT, SLICE))) rmdirSync(join(CGROUP_ROOT, SLICE));
    rmSync(base, { recursive: true, force: true });
  }
});

test('plan on the guest and on a described 128c/512GiB/2numa host', async () => {
  if (skipUnlessV2()) return;
  let out = '';
  const env: PartitionEnv = { dirs: { stateDir: '/nonexistent', runDir: '/nonexistent' }, cgroupRoot: CGROUP_ROOT, hostRoot: '/', slice: `/${SLICE}`, out: (t) => void (out += t) };
  await partitionCommand(['plan'], env);
  assert.match(out, /^host: \d+ CPUs \(\d+ cores\), 1 NUMA node, [\d.]+[GM]iB\n/);
  out = '';
  await partitionCommand(['plan', '--host', '128c/512GiB/2numa', '--cpus', '4', '--memory', '16GiB'], env);
  assert.match(out, /\n30 partitions;/);
});

test.run();
