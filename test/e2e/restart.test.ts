import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableVersions, busyboxRunFlags } from './harness';
import { bundleDir } from './support/bundle';
import { ctrOk, taskStatus, waitTaskStatus } from './support/ctr';
import { shimLeakCheck } from './support/shim-leak-check';
import { shimDaemons } from './support/shim-processes';
import { withShimContainerd } from './support/shim-session';
import { fileNamespace, shimRuntime } from './support/shim-under-test';

// containerd restarts while our shims keep their containers running; it must find them again.
const ns = fileNamespace('restart');
// Sockets and fifos are checked per test, where they can be told apart from other runs'.
const fileCheck = shimLeakCheck(ns, { unnamedFiles: false });
const runDetached = ['run', '-d', '--runtime', shimRuntime, ...busyboxRunFlags()];

for (const v of availableVersions()) {
  test(`containerd ${v.version}: after a daemon restart running tasks are listed, exec-able, killable, deletable`, async () => {
    await withShimContainerd(v.series, ns, async (cd) => {
      await ctrOk(cd, [...runDetached, 'rs1', 'sleep', '300']);
      await ctrOk(cd, [...runDetached, 'rs2', 'sh', '-c', 'trap "exit 143" TERM; while :; do sleep 1; done']);
      // 1.6 and 1.7 reconnect through the address file our start writes; 2.x through bootstrap.json.
      for (const id of ['rs1', 'rs2']) {
        const bundle = bundleDir(cd, id);
        assert.match(readFileSync(join(bundle, 'address'), 'utf8'), /^unix:\/\/\/run\/containerd\/s\/[0-9a-f]{64}$/);
        assert.is(existsSync(join(bundle, 'bootstrap.json')), v.series === '2.x', `bootstrap.json in ${bundle}`);
      }
      const daemons = shimDaemons(ns).map((p) => p.pid);
      assert.is(daemons.length, 2, 'one shim daemon per container');

      await cd.restart();

      assert.equal(await taskStatus(cd, 'rs1'), 'RUNNING');
      assert.equal(await taskStatus(cd, 'rs2'), 'RUNNING');
      assert.equal(
        shimDaemons(ns).map((p) => p.pid),
        daemons,
        'the same shim daemons still serve them',
      );
      const exec = await cd.ctr(['task', 'exec', '--exec-id', 'after', 'rs1', 'sh', '-c', 'echo again; exit 4']);
      assert.equal(exec.stdout, 'again\n', exec.stderr);
      assert.equal(exec.code, 4, exec.stderr);

      // Exits must reach the new daemon as events: STOPPED is only shown once /tasks/exit arrived.
      await ctrOk(cd, ['task', 'kill', '--signal', 'SIGKILL', 'rs1']);
      await ctrOk(cd, ['task', 'kill', '--signal', 'SIGTERM', 'rs2']);
      await waitTaskStatus(cd, 'rs1', 'STOPPED');
      await waitTaskStatus(cd, 'rs2', 'STOPPED');
      const del1 = await ctrOk(cd, ['task', 'delete', 'rs1']);
      assert.match(del1.stderr, /exit code 137/);
      const del2 = await ctrOk(cd, ['task', 'delete', 'rs2']);
      assert.match(del2.stderr, /exit code 143/);
      await ctrOk(cd, ['container', 'delete', 'rs1']);
      await ctrOk(cd, ['container', 'delete', 'rs2']);
    });
  });
}

test('after the whole file: no shim process, mount, cgroup, socket, fifo or runtime state is left', async () => {
  const leaks = await fileCheck.settledLeaks();
  await fileCheck.cleanup();
  assert.equal(leaks, []);
});

test.run();
