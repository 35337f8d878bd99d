/**
 * The hardened spec is one runc really runs: containerd's default spec through the
 * policy, in a user namespace, on the busybox rootfs; and a look from inside at what
 * the policy set up. Root only; skipped without runc or the rootfs (scripts/setup.sh).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { applyHardening, type OciSpec } from '../../../src/hardening';
import { fixture, grant, policy } from './helpers';

const rootfs = path.join(__dirname, '..', '..', '..', '..', '.cache', 'rootfs', 'busybox');

function skipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  if (!existsSync(path.join(rootfs, 'bin', 'busybox'))) return `${rootfs} is missing: run scripts/setup.sh`;
  if (spawnSync('runc', ['--version']).status !== 0) return 'runc is not installed';
  return undefined;
}

/** Runs `script` in a container made from `requested` by the policy; returns its output. */
function runHardened(requested: OciSpec, script: string): { status: number | null; stdout: string; stderr: string } {
  requested.root = { path: rootfs, readonly: true };
  requested.process!.args = ['/bin/sh', '-c', script];
  delete requested.linux!.cgroupsPath;
  const { spec } = applyHardening(requested, policy(), { containerId: 'hx', userNamespace: grant(300000) });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hardening-runc-'));
  const id = `metassembly-hardening-${process.pid}`;
  try {
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify(spec));
    const r = spawnSync('runc', ['--root', path.join(dir, 'state'), 'run', '--bundle', dir, id], { encoding: 'utf8', timeout: 30_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    spawnSync('runc', ['--root', path.join(dir, 'state'), 'delete', '--force', id], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  }
}

const skip = skipReason();
if (skip !== undefined) {
  test(`runc runs the hardened spec (skipped: ${skip})`, () => undefined);
} else {
  test('runc accepts the hardened ctr default spec and runs a shell', () => {
    const r = runHardened(fixture('ctr-default'), 'echo ok');
    assert.is(r.stderr, '');
    assert.is(r.stdout, 'ok\n');
    assert.is(r.status, 0);
  });

  test('runc accepts containerd\'s own seccomp profile as rewritten', () => {
    const r = runHardened(fixture('ctr-seccomp'), 'echo ok');
    assert.is(r.stdout, 'ok\n', r.stderr);
  });

  test('inside: mapped root, filter on, no new privileges, denied calls fail', () => {
    const script = [
      'cat /proc/self/uid_map',
      'grep -E "^(Seccomp|NoNewPrivs|CapEff):" /proc/self/status',
      'unshare -U true 2>/dev/null; echo unshare=$?',
      'mount -t tmpfs t /tmp 2>/dev/null; echo mount=$?',
      'mknod /dev/shm/n c 1 3 2>/dev/null; echo mknod=$?',
      // busybox date exits 0 after a failed set; its message tells
      'date -s "2001-01-01 00:00" 2>&1 >/dev/null | grep -q "not permitted" && echo date=denied',
      'dmesg >/dev/null 2>&1; echo dmesg=$?',
      'echo core_pattern=$(wc -c </proc/sys/kernel/core_pattern)',
      // the same value back: harmless even if the write went through
      'cat /proc/sys/vm/overcommit_memory 2>/dev/null >/proc/sys/vm/overcommit_memory; echo proc_sys_write=$?',
      'echo x >/dev/shm/f && echo shm=ok',
      'ulimit -n; ulimit -c',
    ].join('; ');
    const r = runHardened(fixture('ctr-default'), script);
    assert.is(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => l.trim().replace(/\s+/g, ' '));
    assert.equal(lines, [
      '0 300000 65536',
      'CapEff: 00000000000005fb',
      'NoNewPrivs: 1',
      'Seccomp: 2',
      'unshare=1',
      'mount=1',
      'mknod=1',
      'date=denied',
      'dmesg=1',
      'core_pattern=0',
      'proc_sys_write=1',
      'shm=ok',
      '1024',
      '0',
    ]);
  });
}

test.run();
