import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { availableVersions, busyboxRunFlags } from './harness';
import { waitTaskStatus } from './support/ctr';
import { ctrOnTty } from './support/ctr-on-tty';
import { ctrWithLateStdin } from './support/late-stdin';
import { shimLeakCheck } from './support/shim-leak-check';
import { withShimContainerd } from './support/shim-session';
import { fileNamespace, shimRuntime } from './support/shim-under-test';

// `ctr run` in the foreground through the real chain: containerd -> our shim -> runc.
const ns = fileNamespace('run');
// Sockets and fifos are checked per test, where they can be told apart from other runs'.
const fileCheck = shimLeakCheck(ns, { unnamedFiles: false });
const run = ['run', '--rm', '--runtime', shimRuntime, ...busyboxRunFlags()];

for (const v of availableVersions()) {
  test(`containerd ${v.version}: ctr run --rm prints the output and exits with the container's status`, async () => {
    await withShimContainerd(v.series, ns, async (cd) => {
      const r = await cd.ctr([...run, 'run1', 'sh', '-c', 'echo hi; exit 3'], { timeoutMs: 30_000 });
      assert.equal(r.stdout, 'hi\n', r.stderr);
      assert.equal(r.code, 3, r.stderr);
    });
  });

  test(`containerd ${v.version}: ctr run -t gets a pty of the terminal's size, and resizes reach it`, async () => {
    await withShimContainerd(v.series, ns, async (cd) => {
      // ctr sends the first ResizePty only after Start, so the container waits for each size.
      const waitSize = 'w() { i=0; while [ "$(stty size)" != "$1" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; echo "size $(stty size)"; }';
      const inner = `${waitSize}; w "37 101"; tty; w "50 120"`;
      const r = await ctrOnTty(cd, ['run', '--rm', '-t', '--runtime', shimRuntime, ...busyboxRunFlags(), 'run2', '/bin/sh', '-c', inner], {
        size: { rows: 37, cols: 101 },
        resize: { to: { rows: 50, cols: 120 }, taskId: 'run2' },
      });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      // Two terminals in a row (script's and the container's console) turn \n into \r\r\n.
      assert.match(r.stdout, /size 37 101\r*\n/, 'the initial size');
      assert.match(r.stdout, /\/dev\/pts\/\d+\r*\n/, 'a pseudo-terminal');
      assert.match(r.stdout, /size 50 120\r*\n/, 'the size after the outer terminal was resized');
    });
  });

  test(`containerd ${v.version}: piped stdin reaches cat and its EOF ends it, as with runc-v2`, async () => {
    await withShimContainerd(v.series, ns, async (cd) => {
      const cat = ['sh', '-c', 'cat; echo "cat done $?"'];
      const input = 'line one\nline two\n';
      const whenRunning = (id: string) => ({ feedWhen: () => waitTaskStatus(cd, id, 'RUNNING', 20_000) });
      const ours = await ctrWithLateStdin(cd, [...run, 'run3', ...cat], input, whenRunning('run3'));
      const runc = await ctrWithLateStdin(
        cd,
        ['run', '--rm', '--runtime', 'io.containerd.runc.v2', ...busyboxRunFlags(), 'run3r', ...cat],
        input,
        whenRunning('run3r'),
      );
      assert.equal(runc.stdout, `${input}cat done 0\n`, `runc-v2 itself: ${runc.stderr}`);
      assert.not.ok(ours.timedOut, `stdin EOF ended the task: ${JSON.stringify(ours)}`);
      assert.equal(ours.stdout, runc.stdout, ours.stderr);
      assert.equal(ours.code, 0, ours.stderr);
    });
  });
}

test('after the whole file: no shim process, mount, cgroup, socket, fifo or runtime state is left', async () => {
  const leaks = await fileCheck.settledLeaks();
  await fileCheck.cleanup();
  assert.equal(leaks, []);
});

test.run();
