import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableVersions, busyboxRunFlags, type Containerd } from './harness';
import { backgroundExec, ctrOk, removeTask, taskStatus } from './support/ctr';
import { shimLeakCheck } from './support/shim-leak-check';
import { shimDaemons } from './support/shim-processes';
import { withShimContainerd } from './support/shim-session';
import { fileNamespace, shimRuntime } from './support/shim-under-test';

// Bad requests sent to a shim daemon that also serves a healthy container: each one must come
// back to ctr as a clear error, and the daemon must go on serving the healthy one.
const ns = fileNamespace('bad');
// Sockets and fifos are checked per test, where they can be told apart from other runs'.
const fileCheck = shimLeakCheck(ns, { unnamedFiles: false });
const groupKey = 'io.containerd.metassembly.v2.group';
const group = 'bad-input';
const inGroup = ['--runtime', shimRuntime, '--annotation', `${groupKey}=${group}`];

/** The healthy container still answers through the same, single shim daemon. */
async function assertStillServed(cd: Containerd, daemonPid: number, after: string): Promise<void> {
  const ps = await cd.ctr(['task', 'ps', 'healthy']);
  assert.equal(ps.code, 0, `ctr task ps after ${after}: ${ps.stderr}`);
  assert.match(ps.stdout, /^\d+\s/m, `a pid listed after ${after}`);
  assert.equal(await taskStatus(cd, 'healthy'), 'RUNNING', `after ${after}`);
  assert.equal(
    shimDaemons(ns).map((p) => p.pid),
    [daemonPid],
    `one shim daemon for the group, still the same, after ${after}`,
  );
}

/** Private namespaces, as every real spec has: each bad spec should have only its own defect. */
const privateNamespaces = { namespaces: ['pid', 'ipc', 'uts', 'mount', 'network'].map((type) => ({ type })) };

/** A spec file for `ctr run --config`, which puts it in the bundle's config.json as it is. */
function writeSpec(cd: Containerd, name: string, spec: object): string {
  const path = join(cd.dir, name);
  writeFileSync(path, JSON.stringify({ ociVersion: '1.0.2', linux: privateNamespaces, ...spec, annotations: { [groupKey]: group } }));
  return path;
}

for (const v of availableVersions()) {
  test(`containerd ${v.version}: bad bundles, a missing runtime binary and an unknown exec id are refused while the shim serves on`, async () => {
    await withShimContainerd(v.series, ns, async (cd) => {
      await ctrOk(cd, ['run', '-d', ...inGroup, ...busyboxRunFlags(), 'healthy', 'sleep', '300']);
      const daemons = shimDaemons(ns);
      assert.is(daemons.length, 1, 'one shim daemon');
      const daemonPid = daemons[0]!.pid;

      // A config.json the OCI runtime cannot run: no process at all.
      const noProcess = writeSpec(cd, 'no-process.json', { root: { path: 'rootfs' } });
      let r = await cd.ctr(['run', '--rm', ...inGroup, '--config', noProcess, 'bad1']);
      assert.is.not(r.code, 0, 'refused');
      assert.match(r.stderr, /failed to create shim task: .*process/, r.stderr);
      await assertStillServed(cd, daemonPid, 'a spec without process');

      // A config.json whose root does not exist.
      const noRoot = writeSpec(cd, 'no-root.json', { process: { args: ['true'], cwd: '/' }, root: { path: '/nonexistent/rootfs' } });
      r = await cd.ctr(['run', '--rm', ...inGroup, '--config', noRoot, 'bad2']);
      assert.is.not(r.code, 0, 'refused');
      assert.match(r.stderr, /failed to create shim task: .*\/nonexistent\/rootfs/, r.stderr);
      await assertStillServed(cd, daemonPid, 'a spec with a missing root');

      // A runtime configuration naming an OCI runtime binary that does not exist.
      const config = join(cd.dir, 'missing-runtime.toml');
      writeFileSync(config, '[runtime]\nbinary = "/nonexistent/runc"\n');
      r = await cd.ctr(['run', '--rm', ...inGroup, '--runtime-config-path', config, ...busyboxRunFlags(), 'bad3', 'true']);
      assert.is.not(r.code, 0, 'refused');
      assert.match(r.stderr, /\/nonexistent\/runc/, `the error names the binary: ${r.stderr}`);
      await assertStillServed(cd, daemonPid, 'a missing runtime binary');

      // Signals and exec lookups for a process that was never there.
      r = await cd.ctr(['task', 'kill', '--signal', 'SIGTERM', '--exec-id', 'nope', 'healthy']);
      assert.is.not(r.code, 0, 'refused');
      // runc-v2 words it "process does not exist nope: not found" on every containerd version.
      assert.match(r.stderr, /nope: not found/, r.stderr);
      await assertStillServed(cd, daemonPid, 'an unknown exec id');

      // An exec id taken twice.
      const first = await backgroundExec(cd, 'healthy', 'twice', ['sleep', '100']);
      r = await cd.ctr(['task', 'exec', '--exec-id', 'twice', 'healthy', 'true']);
      assert.is.not(r.code, 0, 'refused');
      assert.match(r.stderr, /twice: already exists/, r.stderr);
      await ctrOk(cd, ['task', 'kill', '--signal', 'SIGTERM', '--exec-id', 'twice', 'healthy']);
      assert.equal((await first.done).code, 143, 'the first exec with that id was the one still running');
      await assertStillServed(cd, daemonPid, 'a duplicate exec id');

      const left = await ctrOk(cd, ['container', 'ls', '--quiet']);
      assert.equal(left.stdout.trim(), 'healthy', 'the refused containers were removed (--rm)');
      await removeTask(cd, 'healthy');
    });
  });
}

test('after the whole file: no shim process, mount, cgroup, socket, fifo or runtime state is left', async () => {
  const leaks = await fileCheck.settledLeaks();
  await fileCheck.cleanup();
  assert.equal(leaks, []);
});

test.run();
