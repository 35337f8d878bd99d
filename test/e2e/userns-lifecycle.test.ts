/**
 * Issue 3's user-namespace range lifecycle through containerd 1.6 and the shim: a pod whose
 * shim daemon and container were SIGKILLed, with no containerd to clean up after them (it is
 * stopped, as if it had crashed too), leaves its range and its idmapped rootfs view behind;
 * the next container's shim daemon, of another containerd, sweeps the view at boot and its
 * allocation collects the range. Then the first containerd resumes and cleans up the rest.
 *
 * The allocator file is the host's (one per host, whatever the config says): only this run's
 * entries are read, and the leak check proves none is left.
 */
import { readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { busyboxRunFlags, startContainerd, type Containerd } from './harness';
import { idmappedViewDir, listMountPoints, listProcesses, usernsStatePath } from './harness/host-state';
import { shimSocketPath } from './support/bundle';
import { ctrOk, initPid, removeTask, taskStatus, waitTaskStatus } from './support/ctr';
import { eventually } from './support/eventually';
import { sandboxScratch, type SandboxScratch } from './support/sandbox-scratch';
import { shimDaemons } from './support/shim-processes';
import { shimLog, withShimContainerd } from './support/shim-session';
import { fileNamespace, shimDir, shimRuntime } from './support/shim-under-test';

const ns = fileNamespace('userns-life');

interface Range {
  hostID: number;
  owner: { partition: string; pod: string };
  holders?: Array<{ pid: number; role: string; container?: string }>;
}

function rangeOf(pod: string): Range | undefined {
  const state = JSON.parse(readFileSync(usernsStatePath, 'utf8')) as { ranges: Range[] };
  return state.ranges.find((r) => r.owner.partition === 'default' && r.owner.pod === `${ns}/${pod}`);
}

const view = (id: string): string => join(idmappedViewDir, ns, id);
const mounted = (path: string): boolean => listMountPoints().includes(path);

function runFlags(s: SandboxScratch): string[] {
  // busyboxRunFlags ends with the shared fixture; each container gets its private copy, so
  // the two containers' views are never the same directory.
  return ['--runtime', shimRuntime, '--runtime-config-path', s.config('default'), ...busyboxRunFlags().slice(0, -1), s.rootfs];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A stopped containerd the session already killed is gone: nothing to resume. */
function resume(pid: number): void {
  try {
    process.kill(pid, 'SIGCONT');
  } catch {
    // exited
  }
}

/** The ctr fifo directories a process holds open. */
function fifoDirs(pid: number): string[] {
  const dirs = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      if (target.startsWith('/run/containerd/fifo/')) dirs.add(dirname(target));
    } catch {
      // closed meanwhile
    }
  }
  return [...dirs];
}

function containerdPid(cd: Containerd): number {
  const p = listProcesses().find((q) => q.cmdline.includes(`--config ${cd.configPath}`));
  assert.ok(p, `containerd of ${cd.configPath} runs`);
  return p.pid;
}

test('containerd 1.6: a SIGKILLed pod\'s range is collected and its stale idmapped view swept by the next container', async () => {
  const first = sandboxScratch();
  const second = sandboxScratch();
  let stopped: number | undefined;
  try {
    await withShimContainerd('1.6', ns, async (cd1) => {
      await ctrOk(cd1, ['run', '-d', ...runFlags(first), 'victim', 'sleep', '300']);
      await waitTaskStatus(cd1, 'victim', 'RUNNING', 20_000);
      const victimInit = await initPid(cd1, 'victim');
      const held = rangeOf('victim');
      assert.ok(held, 'the pod holds a range');
      assert.equal(
        held.holders?.map((h) => [h.role, h.pid, h.container]),
        [['init', victimInit, `${ns}/victim`]],
        'its init holds it, in place of the daemon that created it',
      );
      assert.ok(mounted(view('victim')), 'its idmapped view is mounted');
      const [daemon] = shimDaemons(ns);
      assert.ok(daemon);
      // What the crash leaves that is not this issue's: the killed daemon's socket (a later start
      // replaces it) and ctr's fifos, which only a `ctr task delete` that never comes removes.
      const crashResidue = [shimSocketPath(cd1, 'victim'), ...fifoDirs(daemon.pid)];

      // The crash: containerd cannot clean up (stopped), the shim and the container die.
      stopped = containerdPid(cd1);
      process.kill(stopped, 'SIGSTOP');
      process.kill(daemon.pid, 'SIGKILL');
      process.kill(victimInit, 'SIGKILL');
      await eventually(() => alive(daemon.pid) || alive(victimInit), (a) => !a, { what: 'the shim daemon and the init gone' });
      assert.ok(rangeOf('victim'), 'nothing frees the range by itself');
      assert.ok(mounted(view('victim')), 'nothing unmounts the view by itself');

      const cd2 = await startContainerd({ version: '1.6', shimDir, namespace: ns });
      try {
        await ctrOk(cd2, ['run', '-d', ...runFlags(second), 'next', 'sleep', '300']);
        await waitTaskStatus(cd2, 'next', 'RUNNING', 20_000);
        assert.is(rangeOf('victim'), undefined, 'the dead pod\'s range was collected by the allocation');
        const next = rangeOf('next');
        assert.equal(next?.holders?.map((h) => h.pid), [await initPid(cd2, 'next')]);
        // The sweep runs right after the new daemon is up; it may finish after the create.
        await eventually(() => mounted(view('victim')), (m) => !m, { what: 'the stale view unmounted', timeoutMs: 10_000 });
        assert.ok(mounted(view('next')), 'the live container\'s view stays');
        assert.match(shimLog(cd2), /stale idmapped rootfs view \S+\/victim removed/);
        await removeTask(cd2, 'next');
        assert.is(rangeOf('next'), undefined, 'a deleted pod releases its range');
      } catch (err) {
        console.error(`--- second containerd ---\n${shimLog(cd2)}`);
        throw err;
      } finally {
        await cd2.stop();
      }

      // containerd comes back, finds the shim dead and runs its delete for the bundle.
      resume(stopped);
      stopped = undefined;
      await eventually(() => taskStatus(cd1, 'victim'), (s) => s === undefined || s === 'STOPPED', { timeoutMs: 20_000, what: 'victim cleaned up' });
      if ((await taskStatus(cd1, 'victim')) !== undefined) await ctrOk(cd1, ['task', 'delete', 'victim']);
      await ctrOk(cd1, ['container', 'delete', 'victim']);
      for (const path of crashResidue) rmSync(path, { recursive: true, force: true });
    });
  } finally {
    if (stopped !== undefined) resume(stopped);
    assert.ok(first.remove(), `nothing is left mounted under ${first.dir}`);
    assert.ok(second.remove(), `nothing is left mounted under ${second.dir}`);
  }
});

test.run();
