/**
 * The real chain on cgroup v2: a private containerd 1.6 -> our shim (shim/dev) -> runc, in the
 * emulated guest, with the shim's default hardening (each pod in a user namespace of its own).
 * The container lands in a v2 cgroup, `ctr task metrics` gets v2 metrics from our Stats, and a
 * memory hog is OOM-killed inside its limit with a TaskOOM event and exit 137.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { busyboxRootfs, busyboxRunFlags, leakCheck, repoRoot, startContainerd, type Containerd } from '../e2e/harness';
import { collectEvents } from './support/ctr-events';
import { skipUnlessV2 } from './support/guest';

const runtime = 'io.containerd.metassembly.v2';
const shimDir = join(repoRoot, 'shim', 'dev');
const MiB = 1024 * 1024;
// Every step is slow under software emulation: a Node shim start is a few seconds there.
const ctrTimeoutMs = 120_000;

/**
 * `ctr run` flags through our shim with its defaults, ending with the rootfs. The pod's user
 * namespace needs an idmapped view of its rootfs, and the guest's root (overlay over 9p)
 * cannot be idmapped, so the container gets a copy of the busybox fixture in containerd's
 * scratch dir, on the guest's ext4 /tmp (scripts/v2-guest); the shim's state stays there too.
 */
function runFlags(cd: Containerd, extra: string[] = []): string[] {
  const config = join(cd.dir, 'metassembly.toml');
  const rootfs = join(cd.dir, 'rootfs');
  if (!existsSync(rootfs)) {
    writeFileSync(config, `[shim]\nstate_dir = ${JSON.stringify(join(cd.dir, 'shim-state'))}\n`);
    // cp -a keeps the owners and modes, which the idmapped view shows the pod as they are.
    execFileSync('cp', ['-a', busyboxRootfs(), rootfs]);
  }
  // busyboxRunFlags ends with the shared fixture's path: the copy goes in its place.
  return ['--runtime', runtime, '--runtime-config-path', config, ...extra, ...busyboxRunFlags().slice(0, -1), rootfs];
}

/** Runs `body` against a private containerd 1.6 that finds our shim, then checks nothing was left. */
async function withContainerd(body: (cd: Containerd) => Promise<void>): Promise<void> {
  const check = leakCheck();
  const cd = await startContainerd({ version: '1.6', shimDir, startTimeoutMs: 120_000 });
  try {
    await body(cd);
  } catch (err) {
    console.error(`--- containerd log (metassembly lines) ---\n${cd.log().split('\n').filter((l) => l.includes('metassembly')).join('\n')}`);
    throw err;
  } finally {
    await cd.stop();
  }
  const leaks = check.leaks();
  await check.cleanup();
  assert.equal(leaks, [], 'nothing of the test is left');
}

/** `ctr task metrics` table rows ("METRIC VALUE") as a map. */
function metricRows(stdout: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const [name, value] = line.trim().split(/\s+/);
    if (name && value && /^[a-z_]+\.[a-z_.]+$/.test(name)) rows.set(name, value);
  }
  return rows;
}

test('ctr run --rm through our shim: output, exit status, and a private v2 cgroup namespace', async () => {
  if (skipUnlessV2()) return;
  await withContainerd(async (cd) => {
    const r = await cd.ctr(
      ['run', '--rm', ...runFlags(cd), 'v2run', 'sh', '-c', 'echo hi; cat /proc/self/cgroup; exit 3'],
      { timeoutMs: ctrTimeoutMs },
    );
    assert.equal(r.code, 3, r.stdout + r.stderr);
    const [first, ...cgroups] = r.stdout.trim().split('\n');
    assert.is(first, 'hi');
    // On v2 it is the one unified line; the hardening gives every container its own cgroup
    // namespace, so from inside it is the root (the host-side path is checked below).
    assert.equal(cgroups, ['0::/']);
  });
});

test('ctr task metrics shows the v2 metrics of a running container', async () => {
  if (skipUnlessV2()) return;
  await withContainerd(async (cd) => {
    const limit = 64 * MiB;
    const run = await cd.ctr(
      ['run', '-d', ...runFlags(cd, ['--memory-limit', String(limit)]), 'v2metrics', 'sleep', '300'],
      { timeoutMs: ctrTimeoutMs },
    );
    assert.equal(run.code, 0, run.stderr);
    try {
      // runc's default cgroupsPath is /<namespace>/<id>, seen from the host.
      const ls = await cd.ctr(['task', 'ls'], { timeoutMs: ctrTimeoutMs });
      const pid = /^v2metrics\s+(\d+)/m.exec(ls.stdout)?.[1];
      assert.ok(pid, ls.stdout);
      assert.is(readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim(), `0::/${cd.namespace}/v2metrics`);
      // Its root is the first id of a user-namespace range, not the host's root.
      assert.not.match(readFileSync(`/proc/${pid}/status`, 'utf8'), /\nUid:\t0\t/);
      const m = await cd.ctr(['task', 'metrics', 'v2metrics'], { timeoutMs: ctrTimeoutMs });
      assert.equal(m.code, 0, m.stderr);
      const rows = metricRows(m.stdout);
      // ctr prints these rows only for an io.containerd.cgroups.v2.Metrics payload.
      assert.is(rows.get('pids.current'), '1', m.stdout);
      assert.is(rows.get('memory.usage_limit'), String(limit), m.stdout);
      assert.ok(Number(rows.get('memory.usage')) > 0, m.stdout);
      assert.ok(Number(rows.get('cpu.usage_usec')) > 0, m.stdout);

      const json = await cd.ctr(['task', 'metrics', '--format', 'json', 'v2metrics'], { timeoutMs: ctrTimeoutMs });
      assert.equal(json.code, 0, json.stderr);
      const data = JSON.parse(json.stdout) as { memory?: { usage_limit?: number; anon?: number }; pids?: { current?: number } };
      assert.is(data.memory?.usage_limit, limit, json.stdout);
      assert.ok((data.memory?.anon ?? 0) > 0, json.stdout);
      assert.is(data.pids?.current, 1, json.stdout);
    } finally {
      await cd.ctr(['task', 'kill', '--signal', 'SIGKILL', 'v2metrics']);
      let del = await cd.ctr(['task', 'delete', 'v2metrics'], { timeoutMs: ctrTimeoutMs });
      // `task delete` refuses a task whose exit has not been seen yet.
      for (let i = 0; i < 100 && del.code !== 0; i++) {
        await new Promise((r) => setTimeout(r, 200));
        del = await cd.ctr(['task', 'delete', 'v2metrics'], { timeoutMs: ctrTimeoutMs });
      }
      await cd.ctr(['container', 'delete', 'v2metrics']);
    }
  });
});

test('a memory hog is OOM-killed inside its v2 limit: TaskOOM event and exit 137', async () => {
  if (skipUnlessV2()) return;
  await withContainerd(async (cd) => {
    const events = await collectEvents(cd);
    try {
      // tail keeps the last 10 lines; /dev/zero has no newline, so it buffers without end.
      const r = await cd.ctr(
        ['run', '--rm', ...runFlags(cd, ['--memory-limit', String(32 * MiB)]), 'v2oom', 'tail', '/dev/zero'],
        { timeoutMs: ctrTimeoutMs },
      );
      assert.equal(r.code, 137, r.stdout + r.stderr);
      const deadline = Date.now() + 10_000;
      while (!events.topics().includes('/tasks/oom') && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
      assert.ok(events.topics().includes('/tasks/oom'), events.text());
    } finally {
      await events.stop();
    }
  });
});

test.run();
