import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { availableVersions, busyboxRunFlags } from './harness';
import { backgroundExec, ctrOk, initPid, taskStatus, waitTaskStatus } from './support/ctr';
import { shimLeakCheck } from './support/shim-leak-check';
import { withShimContainerd } from './support/shim-session';
import { fileNamespace, shimRuntime } from './support/shim-under-test';

// A detached task driven step by step with ctr's task commands, each answered by our shim.
const ns = fileNamespace('task');
// Sockets and fifos are checked per test, where they can be told apart from other runs'.
const fileCheck = shimLeakCheck(ns, { unnamedFiles: false });
const runDetached = ['run', '-d', '--runtime', shimRuntime, ...busyboxRunFlags()];
// pid 1 of a pid namespace ignores TERM unless it handles it: this init exits as if killed by it.
const trappingInit = ['sh', '-c', 'trap "exit 143" TERM; while :; do sleep 1; done'];

/** `ctr task delete` reports a non-zero exit as "exit with non-zero exit code N" on stderr. */
function reportedExit(stderr: string): number {
  const m = /exit code (\d+)/.exec(stderr);
  return m ? Number(m[1]) : 0;
}

for (const v of availableVersions()) {
  test(`containerd ${v.version}: exec, ps, metrics, pause/resume, kill, delete of a detached task`, async () => {
    await withShimContainerd(v.series, ns, async (cd) => {
      await ctrOk(cd, [...runDetached, 'task1', ...trappingInit]);
      assert.equal(await taskStatus(cd, 'task1'), 'RUNNING');
      const pid = await initPid(cd, 'task1');
      assert.ok(pid > 1, `init pid ${pid}`);

      const exec = await cd.ctr(['task', 'exec', '--exec-id', 'e1', 'task1', 'sh', '-c', 'echo x; exit 5']);
      assert.equal(exec.stdout, 'x\n', exec.stderr);
      assert.equal(exec.code, 5, exec.stderr);

      const ps = await ctrOk(cd, ['task', 'ps', 'task1']);
      assert.ok(
        ps.stdout.split('\n').some((l) => l.trim().split(/\s+/)[0] === String(pid)),
        `init pid ${pid} in ctr task ps:\n${ps.stdout}`,
      );

      const metrics = JSON.parse((await ctrOk(cd, ['task', 'metrics', '--format', 'json', 'task1'])).stdout);
      assert.ok(Number(metrics.memory?.usage?.usage) > 0, `memory usage: ${JSON.stringify(metrics.memory)}`);
      assert.ok(Number(metrics.pids?.current) >= 2, `pids.current: ${JSON.stringify(metrics.pids)}`);

      await ctrOk(cd, ['task', 'pause', 'task1']);
      assert.equal(await taskStatus(cd, 'task1'), 'PAUSED');
      await ctrOk(cd, ['task', 'resume', 'task1']);
      assert.equal(await taskStatus(cd, 'task1'), 'RUNNING');

      // A process that is not pid 1 dies of SIGTERM: its status is 128 + 15.
      const sleeper = await backgroundExec(cd, 'task1', 's1', ['sleep', '100']);
      await ctrOk(cd, ['task', 'kill', '--signal', 'SIGTERM', '--exec-id', 's1', 'task1']);
      const slept = await sleeper.done;
      assert.equal(slept.code, 143, `exec killed by TERM: ${slept.stderr}`);
      assert.equal(await taskStatus(cd, 'task1'), 'RUNNING', 'the init outlives its exec');

      await ctrOk(cd, ['task', 'kill', '--signal', 'SIGTERM', 'task1']);
      await waitTaskStatus(cd, 'task1', 'STOPPED');
      const del = await ctrOk(cd, ['task', 'delete', 'task1']);
      assert.equal(reportedExit(del.stderr), 143, del.stderr);
      await ctrOk(cd, ['container', 'delete', 'task1']);
      assert.equal(await taskStatus(cd, 'task1'), undefined);
    });
  });

  test(`containerd ${v.version}: ctr task kill --all reaches the init and every exec`, async () => {
    await withShimContainerd(v.series, ns, async (cd) => {
      await ctrOk(cd, [...runDetached, 'task2', 'sleep', '300']);
      const sleeper = await backgroundExec(cd, 'task2', 's2', ['sleep', '100']);
      await ctrOk(cd, ['task', 'kill', '--all', '--signal', 'SIGKILL', 'task2']);
      const slept = await sleeper.done;
      assert.equal(slept.code, 137, `exec killed with the rest: ${slept.stderr}`);
      await waitTaskStatus(cd, 'task2', 'STOPPED');
      const del = await ctrOk(cd, ['task', 'delete', 'task2']);
      assert.equal(reportedExit(del.stderr), 137, del.stderr);
      await ctrOk(cd, ['container', 'delete', 'task2']);
    });
  });
}

test('after the whole file: no shim process, mount, cgroup, socket, fifo or runtime state is left', async () => {
  const leaks = await fileCheck.settledLeaks();
  await fileCheck.cleanup();
  assert.equal(leaks, []);
});

test.run();
