/**
 * The built single executable (npm run build -> dist/) as containerd runs it: found on
 * containerd's PATH, re-executing itself as the daemon, loading the addon it carries.
 */
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  availableVersions,
  busyboxRunFlags,
  leakCheck,
  repoRoot,
  runCommand,
  startContainerd,
  testNamespace,
  type Containerd,
} from './harness';
import { listProcesses } from './harness/host-state';

const distDir = join(repoRoot, 'dist');
const sea = join(distDir, 'containerd-shim-metassembly-v2');
const runtime = 'io.containerd.metassembly.v2';
const namespace = `${testNamespace}-sea`;
const versions = availableVersions();

async function withContainerd(series: (typeof versions)[number]['series'], body: (cd: Containerd) => Promise<void>): Promise<void> {
  const check = leakCheck({ namespace });
  const cd = await startContainerd({ version: series, shimDir: distDir, namespace });
  try {
    await body(cd);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- containerd log ---\n${cd.log().split('\n').slice(-40).join('\n')}`);
  } finally {
    await cd.stop();
  }
  const leaks = check.leaks();
  await check.cleanup();
  assert.equal(leaks, []);
}

test('the executable is built and reports the package version on Node 24', async () => {
  assert.ok(existsSync(sea), `${sea} is missing: run npm run build`);
  const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  const r = await runCommand(sea, ['-v']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes(`Version:  ${version}\n`), r.stdout);
  assert.match(r.stdout, /Runtime: {2}node v24\./);
  assert.equal(r.stderr, '', 'no SEA warning on stderr');
});

test('NODE_OPTIONS in containerd\'s environment does not reach the executable', async () => {
  const r = await runCommand(sea, ['-v'], { env: { ...process.env, NODE_OPTIONS: '--require /nonexistent.js' } });
  assert.equal(r.code, 0, r.stderr);
});

for (const v of versions) {
  test(`containerd ${v.version}: ctr run --rm through the executable passes output and exit status`, async () => {
    await withContainerd(v.series, async (cd) => {
      const r = await cd.ctr(['run', '--rm', '--runtime', runtime, ...busyboxRunFlags(), 'sea1', '/bin/sh', '-c', 'echo hi; exit 3'], {
        timeoutMs: 30_000,
      });
      assert.equal(r.stdout, 'hi\n', r.stderr);
      assert.equal(r.code, 3, r.stderr);
    });
  });
}

test('the serving daemon is the executable itself, with no script argument', async () => {
  await withContainerd(versions[0]!.series, async (cd) => {
    const run = await cd.ctr(['run', '-d', '--runtime', runtime, ...busyboxRunFlags(), 'sea2', 'sleep', '300']);
    assert.equal(run.code, 0, run.stderr);
    const daemons = listProcesses().filter((p) => {
      try {
        return readlinkSync(`/proc/${p.pid}/exe`) === sea && p.cmdline.includes(namespace);
      } catch {
        return false; // exited meanwhile
      }
    });
    assert.equal(daemons.length, 1, JSON.stringify(daemons));
    const argv = readFileSync(`/proc/${daemons[0]!.pid}/cmdline`, 'utf8').split('\0');
    assert.ok(!argv.some((a) => a.endsWith('.js')), argv.join(' '));

    const kill = await cd.ctr(['task', 'kill', '--signal', 'SIGKILL', 'sea2']);
    assert.equal(kill.code, 0, kill.stderr);
    // `task delete` refuses a task whose exit has not been seen yet.
    let del = await cd.ctr(['task', 'delete', 'sea2']);
    for (let i = 0; i < 50 && del.code !== 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      del = await cd.ctr(['task', 'delete', 'sea2']);
    }
    assert.equal(del.code, 0, del.stderr);
    const rm = await cd.ctr(['container', 'delete', 'sea2']);
    assert.equal(rm.code, 0, rm.stderr);
  });
});

test.run();
