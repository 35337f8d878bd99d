/**
 * The partition commands on this host's real cgroups (root; v1 here, v2 where the host is
 * v2) with a state directory and a slice of this test's own: two partitions made, the
 * partition's private containerd started by scripts/partition-containerd.sh inside its
 * .system leaf, delete refused while it runs, forced delete killing it. Cleans up after itself.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PartitionEnv } from '../../../src/bootstrap/partition-actions';
import { partitionCommand } from '../../../src/bootstrap/partition-command';
import { FailedPreconditionError } from '../../../src/errors';

const ROOT = '/sys/fs/cgroup';
const SLICE = `metassembly-t${process.pid}.slice`;
const REPO = join(__dirname, '../../../..');

function skip(): boolean {
  const containerd = ['/usr/bin/containerd', '/usr/local/bin/containerd'].find(existsSync);
  if (process.getuid?.() === 0 && containerd) return false;
  console.log('  (skipped: needs root and containerd in /usr/bin or /usr/local/bin)');
  return true;
}

function world() {
  const base = mkdtempSync(join(tmpdir(), 'mpr-'));
  let out = '';
  const env: PartitionEnv = {
    dirs: { stateDir: join(base, 'state'), runDir: join(base, 'run') },
    cgroupRoot: ROOT,
    hostRoot: '/',
    slice: `/${SLICE}`,
    out: (text) => void (out += text),
  };
  const take = () => {
    const text = out;
    out = '';
    return text;
  };
  return { base, env, take };
}

/** What remove() leaves: the slice itself, in whichever hierarchies have it. */
function removeSlice(): void {
  const dirs = existsSync(join(ROOT, 'cgroup.controllers')) ? [join(ROOT, SLICE)] : readdirSync(ROOT).map((h) => join(ROOT, h, SLICE));
  for (const dir of dirs) if (existsSync(dir)) rmdirSync(dir);
}

async function until(condition: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('two partitions, a private containerd in one, delete refused while it runs, forced delete', async () => {
  if (skip()) return;
  const { base, env, take } = world();
  const lastCpu = Number(readFileSync('/sys/devices/system/cpu/online', 'utf8').trim().split(/[-,]/).at(-1));
  let containerd: ReturnType<typeof spawn> | undefined;
  try {
    await partitionCommand(['create', 'a', '--cpus', '0', '--memory', '1GiB'], env);
    if (lastCpu > 0) await partitionCommand(['create', 'b', '--cpus', String(lastCpu), '--memory', '1GiB', '--pids', '500'], env);
    assert.match(take(), /^a: created: CPUs 0, mems 0, memory 1GiB/);
    await partitionCommand(['list'], env);
    assert.match(take(), new RegExp(`\\na\\s+0\\s+0\\s+1GiB\\s+\\d+\\s+\\d+\\s+clamp\\s+/${SLICE}/a\\s+0 pods, 0 processes\\n`));

    containerd = spawn('bash', [join(REPO, 'scripts/partition-containerd.sh'), 'a'], {
      env: { ...process.env, METASSEMBLY_STATE_DIR: env.dirs.stateDir },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    containerd.stderr!.on('data', (d) => (log += d));
    const exited = new Promise((resolve) => containerd!.once('exit', (code, signal) => resolve(signal ?? code)));
    const socket = join(env.dirs.runDir, 'a', 'containerd.sock');
    await until(() => existsSync(socket) || containerd!.exitCode !== null, `containerd's socket ${socket}`);
    assert.ok(existsSync(socket), log.slice(-2000));
    // The script exec'd containerd in place: the same pid, now in the partition's .system leaf.
    const cgroup = readFileSync(`/proc/${containerd.pid}/cgroup`, 'utf8');
    assert.match(cgroup, new RegExp(`/${SLICE}/a/\\.system\\n`));
    assert.match(readFileSync(`/proc/${containerd.pid}/status`, 'utf8'), /\nCpus_allowed_list:\s+0\n/);

    await partitionCommand(['delete', 'a'], env).then(
      () => assert.unreachable('deleted while containerd runs'),
      (err: Error) => {
        assert.instance(err, FailedPreconditionError);
        assert.match(err.message, new RegExp(`^partition a still has \\d+ process(es)? \\(.*${containerd!.pid}.*\\); stop its pods and its containerd first, or delete with --force`));
      },
    );
    assert.ok(existsSync(join(env.dirs.stateDir, 'a.json')), 'refused delete keeps the state');
    await partitionCommand(['delete', 'a', '--force'], env);
    assert.is(await exited, 'SIGKILL');
    assert.match(take(), /^a: deleted \(kept .*: containerd\)\n$/);
    if (lastCpu > 0) await partitionCommand(['delete', 'b'], env);
    assert.equal(readdirSync(env.dirs.stateDir).filter((f) => f.endsWith('.json')), []);
    await partitionCommand(['list'], env);
    assert.match(take(), /no partitions in/);
  } finally {
    if (containerd && containerd.exitCode === null && containerd.signalCode === null) containerd.kill('SIGKILL');
    for (const name of ['a', 'b']) await partitionCommand(['delete', name, '--force'], env).catch(() => undefined);
    removeSlice();
    rmSync(base, { recursive: true, force: true });
  }
});

test.run();
