/**
 * Issue 3's "ordinary workloads still work in the sandbox", through containerd 1.6 and the
 * shim with its default hardening: a shell writing its rootfs and /tmp, a non-root user,
 * ports in the container's own network namespace, exec, container root not host root, the
 * privileged refusal and its opt-in, and the audit log. Every run uses a private rootfs copy
 * and a private shim state dir (sandbox-scratch.ts).
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultPool, isPoolRange, RANGE_SIZE } from '../../src/userns/pool';
import { busyboxRunFlags, type Containerd } from './harness';
import { ctrOk, initPid, removeTask, waitTaskStatus } from './support/ctr';
import { sandboxScratch, type SandboxScratch } from './support/sandbox-scratch';
import { shimLeakCheck } from './support/shim-leak-check';
import { withShimContainerd } from './support/shim-session';
import { fileNamespace, shimRuntime } from './support/shim-under-test';

const ns = fileNamespace('workloads');
const fileCheck = shimLeakCheck(ns, { unnamedFiles: false });
const PATH = 'PATH=/usr/sbin:/usr/bin:/sbin:/bin';

/** `ctr run` flags through our shim with this scratch's config, ending with its private rootfs. */
function runFlags(s: SandboxScratch, config: string): string[] {
  const flags = busyboxRunFlags();
  // busyboxRunFlags ends with the shared fixture; the container gets its private copy instead.
  return ['--runtime', shimRuntime, '--runtime-config-path', config, ...flags.slice(0, -1), s.rootfs];
}

/** Runs body with a fresh scratch, removed afterwards (after the session unmounted everything). */
async function inSandbox(body: (cd: Containerd, s: SandboxScratch) => Promise<void>): Promise<void> {
  const s = sandboxScratch();
  try {
    await withShimContainerd('1.6', ns, (cd) => body(cd, s));
  } finally {
    assert.ok(s.remove(), `nothing is left mounted under ${s.dir}`);
  }
}

/**
 * ctr 1.6 `run` has no --user flag: a non-root init comes from a full spec (`--config`),
 * ctr's own default spec with the user, command and private rootfs put in.
 */
async function nonRootSpec(cd: Containerd, s: SandboxScratch, name: string, script: string): Promise<string> {
  const spec = JSON.parse((await ctrOk(cd, ['oci', 'spec'])).stdout) as {
    process: { user: { uid: number; gid: number }; args: string[]; env: string[] };
    root: { path: string; readonly?: boolean };
  };
  spec.process.user = { uid: 1000, gid: 1000 };
  spec.process.args = ['sh', '-c', script];
  spec.process.env = [PATH];
  spec.root = { path: s.rootfs, readonly: false };
  const path = join(s.dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(spec));
  return path;
}

test('a shell runs and writes its rootfs and /tmp; the rootfs file is on disk as uid 0 (idmapped)', async () => {
  await inSandbox(async (cd, s) => {
    const script = 'mkdir -p /data && echo in-rootfs > /data/x && echo in-tmp > /tmp/y && cat /data/x /tmp/y';
    const r = await cd.ctr(['run', '--rm', ...runFlags(s, s.config('default')), 'wl-shell', 'sh', '-c', script], { timeoutMs: 30_000 });
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, 'in-rootfs\nin-tmp\n', r.stderr);
    // Container root writes through the idmapped view as on-disk 0: the image is never chowned.
    const onDisk = statSync(join(s.rootfs, 'data', 'x'));
    assert.equal([onDisk.uid, onDisk.gid], [0, 0], 'owner on disk');
    assert.is(readFileSync(join(s.rootfs, 'data', 'x'), 'utf8'), 'in-rootfs\n');
  });
});

/**
 * Sends `word` to 127.0.0.1:8080 once the backgrounded listener is up: a fixed sleep before
 * connecting raced the listener on a loaded machine. Up to 5 s, then the test's assertion says so.
 */
function connectWhenListening(word: string): string {
  return `i=0; until echo ${word} | nc 127.0.0.1 8080 2>/dev/null; do i=$((i + 1)); [ $i -ge 50 ] && break; sleep 0.1; done`;
}

test('a non-root init (uid 1000) runs, writes /tmp, binds 8080 but not 80', async () => {
  await inSandbox(async (cd, s) => {
    const script = [
      'id -u; id -g',
      'echo mine > /tmp/u && cat /tmp/u',
      // Without a capability a non-root uid cannot bind below ip_unprivileged_port_start (1024).
      'timeout 2 nc -l -p 80 2>&1; echo "bind80 rc=$?"',
      `nc -l -p 8080 > /tmp/got & ${connectWhenListening('ping')}; wait; echo "got $(cat /tmp/got)"`,
    ].join('\n');
    const spec = await nonRootSpec(cd, s, 'nonroot', script);
    const r = await cd.ctr(['run', '--rm', '--runtime', shimRuntime, '--runtime-config-path', s.config('default'), '--config', spec, 'wl-user'], {
      timeoutMs: 30_000,
    });
    assert.is(r.code, 0, r.stdout + r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines.slice(0, 3), ['1000', '1000', 'mine'], r.stdout + r.stderr);
    assert.match(r.stdout, /bind: Permission denied/, 'port 80 refused to uid 1000');
    assert.match(r.stdout, /bind80 rc=1\n/);
    assert.match(r.stdout, /got ping\n/, 'port 8080 served');
  });
});

test('container root binds a port above 1024 in its own netns and talks to it over loopback', async () => {
  await inSandbox(async (cd, s) => {
    const script = `nc -l -p 8080 > /tmp/got & ${connectWhenListening('hello')}; wait; cat /tmp/got`;
    const r = await cd.ctr(['run', '--rm', ...runFlags(s, s.config('default')), 'wl-port', 'sh', '-c', script], { timeoutMs: 30_000 });
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, 'hello\n', r.stderr);
  });
});

test('exec works, as the container root and as a non-root user; root is a pool uid on the host', async () => {
  await inSandbox(async (cd, s) => {
    const id = 'wl-exec';
    await ctrOk(cd, ['run', '-d', ...runFlags(s, s.config('default')), id, 'sleep', '300']);
    try {
      await waitTaskStatus(cd, id, 'RUNNING', 20_000);
      let r = await ctrOk(cd, ['task', 'exec', '--exec-id', 'e1', id, 'sh', '-c', 'id -u; echo ex > /tmp/e && cat /tmp/e']);
      assert.is(r.stdout, '0\nex\n');
      r = await ctrOk(cd, ['task', 'exec', '--exec-id', 'e2', '--user', '0', id, 'id', '-u']);
      assert.is(r.stdout, '0\n');
      r = await ctrOk(cd, ['task', 'exec', '--exec-id', 'e3', '--user', '1000:1000', id, 'sh', '-c', 'id -u; echo n > /tmp/n && cat /tmp/n']);
      assert.is(r.stdout, '1000\nn\n');

      // uid 0 inside maps onto one of the allocator's ranges, never onto host root.
      r = await ctrOk(cd, ['task', 'exec', '--exec-id', 'e4', id, 'cat', '/proc/self/uid_map']);
      const [inside, hostId, size] = r.stdout.trim().split(/\s+/).map(Number);
      assert.equal([inside, size], [0, RANGE_SIZE], r.stdout);
      assert.ok(isPoolRange(defaultPool, hostId), `uid_map host id ${hostId} is a pool range`);
      const pid = await initPid(cd, id);
      const uidLine = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('Uid:'));
      const hostUids = (uidLine ?? '').split(/\s+/).slice(1).map(Number);
      assert.is(hostUids.length, 4, uidLine);
      assert.equal(hostUids, [hostId, hostId, hostId, hostId], `the init's host uids: ${uidLine}`);
      assert.ok(hostUids.every((u) => u !== 0));
    } finally {
      await removeTask(cd, id);
    }
  });
});

test('privileged and host-namespace requests are refused and audited; the opt-in lets privileged run', async () => {
  await inSandbox(async (cd, s) => {
    const strict = s.config('strict');
    let r = await cd.ctr(['run', '--rm', '--privileged', ...runFlags(s, strict), 'wl-priv', 'true'], { timeoutMs: 30_000 });
    assert.is.not(r.code, 0, 'privileged refused');
    assert.match(r.stderr, /hardening\.allow_privileged/, r.stderr);

    r = await cd.ctr(['run', '--rm', '--net-host', ...runFlags(s, strict), 'wl-nethost', 'true'], { timeoutMs: 30_000 });
    assert.is.not(r.code, 0, 'host network refused');
    assert.match(r.stderr, /host network namespace/, r.stderr);

    const optIn = s.config('opt-in', '[hardening]\nallow_privileged = true\n');
    r = await cd.ctr(['run', '--rm', '--privileged', ...runFlags(s, optIn), 'wl-priv-ok', 'true'], { timeoutMs: 30_000 });
    assert.is(r.code, 0, `privileged with the opt-in: ${r.stderr}`);

    const audit = s.audit(ns);
    const of = (id: string) => audit.filter((e) => e.container === id);
    for (const e of audit) {
      for (const k of ['container', 'pod', 'what', 'action', 'why'] as const) assert.type(e[k], 'string', `${k} in ${JSON.stringify(e)}`);
      assert.is(e.namespace, ns);
    }
    assert.ok(of('wl-priv').some((e) => e.action === 'refused'), 'the privileged refusal is audited');
    assert.ok(of('wl-nethost').some((e) => e.action === 'refused' && /network/.test(e.what)), 'the host network refusal is audited');
    assert.ok(of('wl-priv-ok').some((e) => e.action === 'allowed-by-opt-in'), 'what the opt-in let through is audited');
  });
});

test('a default container leaves audit lines naming it, what was done and why', async () => {
  await inSandbox(async (cd, s) => {
    await ctrOk(cd, ['run', '--rm', ...runFlags(s, s.config('default')), 'wl-audit', 'true'], { timeoutMs: 30_000 });
    const mine = s.audit(ns).filter((e) => e.container === 'wl-audit');
    assert.ok(mine.length > 0, 'audited');
    assert.ok(mine.every((e) => e.what && e.action && e.why), JSON.stringify(mine[0]));
    // The defaults always change something about ctr's spec: seccomp and the user namespace at least.
    assert.ok(mine.some((e) => /seccomp/i.test(e.what + (e.path ?? ''))), 'a seccomp decision');
    assert.ok(mine.some((e) => /user namespace/i.test(e.what)), 'a user-namespace decision');
  });
});

test('after the whole file: no shim process, mount, cgroup, socket, fifo or runtime state is left', async () => {
  const leaks = await fileCheck.settledLeaks();
  await fileCheck.cleanup();
  assert.equal(leaks, []);
});

test.run();
