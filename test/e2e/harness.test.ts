import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { availableVersions, busyboxRunFlags, leakCheck, startContainerd } from './harness';

// Proves the harness itself with the stock runc shim, before any test relies on it for ours.
const versions = availableVersions();

test('all three containerd series are available', () => {
  assert.equal(
    versions.map((v) => v.series),
    ['1.6', '1.7', '2.x'],
  );
});

for (const v of versions) {
  test(`containerd ${v.version}: ctr run --rm with io.containerd.runc.v2 passes output and exit status`, async () => {
    const check = leakCheck();
    const cd = await startContainerd({ version: v.series });
    try {
      const version = await cd.ctr(['version']);
      assert.ok(version.stdout.includes(v.version), version.stdout);
      const r = await cd.ctr(
        ['run', '--rm', '--runtime', 'io.containerd.runc.v2', ...busyboxRunFlags(), 'hs1', 'sh', '-c', 'echo hi; exit 3'],
        { timeoutMs: 30_000 },
      );
      assert.equal(r.stdout, 'hi\n', r.stderr);
      assert.equal(r.code, 3, r.stderr);
    } finally {
      await cd.stop();
    }
    const leaks = check.leaks();
    await check.cleanup();
    assert.equal(leaks, []);
  });

  test(`containerd ${v.version}: a running task survives a daemon restart and the leak check sees it`, async () => {
    const check = leakCheck();
    const cd = await startContainerd({ version: v.series });
    try {
      const run = await cd.ctr(['run', '-d', ...busyboxRunFlags(), 'hs2', 'sleep', '300']);
      assert.equal(run.code, 0, run.stderr);
      const during = check.leaks();
      assert.ok(during.some((l) => l.startsWith('process ') && l.includes('containerd-shim-runc-v2')), during.join('\n'));
      assert.ok(during.some((l) => l.startsWith('cgroup: ')), during.join('\n'));

      await cd.restart();
      const tasks = await cd.ctr(['task', 'ls']);
      assert.match(tasks.stdout, /hs2\s+\d+\s+RUNNING/);

      const kill = await cd.ctr(['task', 'kill', '--signal', 'SIGKILL', 'hs2']);
      assert.equal(kill.code, 0, kill.stderr);
      // `task delete` refuses a task whose exit has not been seen yet.
      let del = await cd.ctr(['task', 'delete', 'hs2']);
      for (let i = 0; i < 50 && del.code !== 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        del = await cd.ctr(['task', 'delete', 'hs2']);
      }
      assert.equal(del.code, 0, del.stderr);
      const rm = await cd.ctr(['container', 'delete', 'hs2']);
      assert.equal(rm.code, 0, rm.stderr);
    } finally {
      await cd.stop();
    }
    const leaks = check.leaks();
    await check.cleanup();
    assert.equal(leaks, []);
  });
}

test('a tty run goes through a pseudo-terminal', async () => {
  const check = leakCheck();
  const cd = await startContainerd({ version: versions[0]!.series });
  try {
    const r = await cd.ctr(['run', '--rm', '-t', ...busyboxRunFlags(), 'hs3', 'sh', '-c', 'test -t 0 && echo tty'], {
      tty: true,
      timeoutMs: 30_000,
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    // Two terminals in a row (script's and the container console) turn \n into \r\r\n.
    assert.match(r.stdout, /tty\r*\n/);
  } finally {
    await cd.stop();
  }
  const leaks = check.leaks();
  await check.cleanup();
  assert.equal(leaks, []);
});

test('the leak check reports and cleans what a test leaves behind', async () => {
  const check = leakCheck();
  const cd = await startContainerd({ version: versions[0]!.series });
  try {
    const run = await cd.ctr(['run', '-d', ...busyboxRunFlags(), 'hs4', 'sleep', '300']);
    assert.equal(run.code, 0, run.stderr);
  } finally {
    await cd.stop(); // without deleting the task: shim, container and cgroups stay
  }
  const leaks = check.leaks();
  assert.ok(leaks.some((l) => l.includes('containerd-shim-runc-v2')), leaks.join('\n'));
  assert.ok(leaks.some((l) => l.includes('sleep 300')), leaks.join('\n'));
  assert.ok(leaks.some((l) => l.startsWith('socket: /run/containerd/s/')), leaks.join('\n'));
  await check.cleanup();
  assert.equal(check.leaks(), []);
});

test.run();
