/**
 * The user-namespaced sandbox on cgroup v2, for real: containerd 1.6 -> our shim with its
 * DEFAULT hardening (a user namespace per pod is required) -> runc, in the emulated guest,
 * whose /tmp is an ext4 disk (scripts/v2-guest): the rootfs copies and containerd's root
 * live there, so both ways the shim makes a rootfs usable by the pod's unprivileged root run:
 *
 * - `ctr run --rootfs DIR`: a plain directory, cloned and idmapped onto the view;
 * - an image through the overlayfs snapshotter: the overlay remounted on idmapped clones of
 *   its layers (kernel 5.19+), its upper layer un-idmapped and handed to the pod's root.
 *
 * Each container shows the pod's range in /proc/self/uid_map, is root inside, sees the image
 * owned by root, writes its rootfs (which the host sees owned by the range's first id, while
 * the image on disk keeps its owners), and serves an exec. Then the escape probe, every door
 * closed. Each test ends with the leak check: no idmapped view, no allocator range is left.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultPool, isPoolRange, RANGE_SIZE } from '../../src/userns/pool';
import { mountOf, readMountinfo, type MountEntry } from '../../src/userns/mountinfo';
import { parseOverlayOptions } from '../../src/userns/overlay-options';
import { defaultStagingDir } from '../../src/userns/idmapped-rootfs';
import { busyboxRunFlags, cacheDir, makeScratchDir, removeScratchDir, startContainerd, type Containerd } from '../e2e/harness';
import { idmappedViewDir, listMountPoints, usernsStatePath } from '../e2e/harness/host-state';
import { makeHostFixtures } from '../probe/host-fixtures';
import { makeProbeRootfs } from '../probe/probe-rootfs';
import { formatProbeTable, parseProbeOutput } from '../probe/probe-report';
import { ctrOk, initPid, removeTask, waitTaskStatus } from '../e2e/support/ctr';
import { eventually } from '../e2e/support/eventually';
import { sandboxScratch, type SandboxScratch } from '../e2e/support/sandbox-scratch';
import { shimLeakCheck } from '../e2e/support/shim-leak-check';
import { shimLog } from '../e2e/support/shim-session';
import { fileNamespace, shimDir, shimRuntime } from '../e2e/support/shim-under-test';
import { skipUnlessV2 } from './support/guest';

const ns = fileNamespace('v2userns');
// Every step is slow under software emulation: a Node shim start is a few seconds there.
const ctrTimeoutMs = 120_000;
const long = { timeoutMs: ctrTimeoutMs };
const busyboxImage = 'localhost/metassembly/busybox:1';

/** Where the v2 guest keeps what tests make: the rootfs copies and containerd's root. */
function onExt4(path: string): boolean {
  return mountOf(readMountinfo(), path)?.fstype === 'ext4';
}

/**
 * A private containerd 1.6 finding our shim, a private rootfs copy and shim state dir; after
 * the body, containerd is stopped and the leak check (processes, mounts, cgroups, idmapped
 * views, allocator ranges, runtime state) must find nothing.
 */
async function withSandbox(body: (cd: Containerd, s: SandboxScratch) => Promise<void>): Promise<void> {
  const check = shimLeakCheck(ns);
  const s = sandboxScratch();
  try {
    const cd = await startContainerd({ version: '1.6', shimDir, namespace: ns, startTimeoutMs: ctrTimeoutMs });
    try {
      assert.ok(onExt4(s.rootfs) && onExt4(cd.root), `the rootfs copy and containerd's root are on ext4 (the guest's /tmp)`);
      await body(cd, s);
    } catch (err) {
      console.error(`--- shim log (namespace ${ns}) ---\n${shimLog(cd)}`);
      throw err;
    } finally {
      await cd.stop();
    }
    // A shim daemon exits a while after its last task is deleted, longer under emulation.
    assert.equal(await check.settledLeaks(30_000), [], 'nothing of the test is left in the guest');
  } finally {
    await check.cleanup();
    assert.ok(s.remove(), `nothing is left mounted under ${s.dir}`);
  }
}

interface Range {
  hostID: number;
  owner: { partition: string; pod: string };
}

function rangeOf(id: string): Range | undefined {
  if (!existsSync(usernsStatePath)) return undefined;
  const state = JSON.parse(readFileSync(usernsStatePath, 'utf8')) as { ranges: Range[] };
  return state.ranges.find((r) => r.owner.pod === `${ns}/${id}`);
}

const viewOf = (id: string): string => join(idmappedViewDir, ns, id);
const mountAt = (path: string): MountEntry | undefined => [...readMountinfo()].reverse().find((m) => m.mountPoint === path);

interface Inside {
  uidMap: string;
  gidMap: string;
  uid: string;
  owners: string[];
}

/**
 * What the container says about itself, through an exec: its id maps, its uid, who owns the
 * image's files, and who owns a file it has just written to its rootfs.
 */
async function lookInside(cd: Containerd, id: string): Promise<Inside> {
  const script = [
    'cat /proc/self/uid_map /proc/self/gid_map',
    'id -u',
    'echo from-the-pod > /written',
    'stat -c %u:%g / /bin/busybox /etc/passwd /written',
  ].join('; ');
  const r = await ctrOk(cd, ['task', 'exec', '--exec-id', 'look', id, 'sh', '-c', script], long);
  const lines = r.stdout.trim().split('\n').map((l) => l.trim().replace(/\s+/g, ' '));
  assert.is(lines.length, 7, r.stdout + r.stderr);
  return { uidMap: lines[0]!, gidMap: lines[1]!, uid: lines[2]!, owners: lines.slice(3) };
}

/** The common facts of a user-namespaced container; returns the range's first host id. */
async function checkUserns(cd: Containerd, id: string): Promise<{ hostId: number; pid: number }> {
  const inside = await lookInside(cd, id);
  assert.is.not(inside.uidMap, '0 0 4294967295', 'not the host user namespace');
  const [from, hostId, size] = inside.uidMap.split(' ').map(Number);
  assert.equal([from, size], [0, RANGE_SIZE], inside.uidMap);
  assert.ok(isPoolRange(defaultPool, hostId!), `uid_map host id ${hostId} is a pool range`);
  assert.is(inside.gidMap, inside.uidMap, 'gids map like uids');
  assert.is(inside.uid, '0', 'root inside');
  assert.equal(inside.owners, ['0:0', '0:0', '0:0', '0:0'], 'the image and the new file are root\'s inside');
  assert.is(rangeOf(id)?.hostID, hostId, 'the allocator holds that range for the pod');

  // From the host, through the container's own root, everything is on the range.
  const pid = await initPid(cd, id);
  const atHost = (p: string) => {
    const st = statSync(`/proc/${pid}/root${p}`);
    return [st.uid, st.gid];
  };
  assert.equal(atHost('/written'), [hostId, hostId], 'the host sees the written file owned by the range');
  assert.equal(atHost('/bin/busybox'), [hostId, hostId], 'and the image owned by the range');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  assert.match(status, new RegExp(`\\nUid:\\t${hostId}\\t${hostId}\\t${hostId}\\t${hostId}\\n`), 'the init runs as the range\'s first uid');
  return { hostId: hostId!, pid };
}

async function afterRemoval(id: string): Promise<void> {
  await eventually(() => existsSync(viewOf(id)) || listMountPoints().includes(viewOf(id)), (v) => !v, {
    timeoutMs: 30_000,
    what: `the idmapped view ${viewOf(id)} gone`,
  });
  assert.is(rangeOf(id), undefined, 'the pod\'s range is released');
  assert.not.ok(listMountPoints().some((m) => m.startsWith(`${defaultStagingDir}/`)), 'no staged idmapped layer is left');
}

test('ctr --rootfs on ext4: an idmapped clone; uid_map, root inside, writes, the host\'s view, exec', async () => {
  if (skipUnlessV2()) return;
  await withSandbox(async (cd, s) => {
    const id = 'ur-dir';
    const flags = busyboxRunFlags().slice(0, -1); // ends with the shared fixture: the private copy instead
    await ctrOk(cd, ['run', '-d', '--runtime', shimRuntime, '--runtime-config-path', s.config('default'), ...flags, s.rootfs, id, 'sleep', '600'], long);
    try {
      await waitTaskStatus(cd, id, 'RUNNING', ctrTimeoutMs);
      const view = mountAt(viewOf(id));
      assert.ok(view, `the view ${viewOf(id)} is mounted`);
      assert.is(view.fstype, 'ext4');
      assert.ok(view.mountOptions.includes('idmapped'), `an idmapped mount: ${view.mountOptions.join(',')}`);
      await checkUserns(cd, id);
      // Through the idmapping the pod's root writes as on-disk 0: the image is never chowned.
      const onDisk = statSync(join(s.rootfs, 'written'));
      assert.equal([onDisk.uid, onDisk.gid], [0, 0], 'the new file on disk');
      assert.is(readFileSync(join(s.rootfs, 'written'), 'utf8'), 'from-the-pod\n');
    } finally {
      await removeTask(cd, id);
    }
    await afterRemoval(id);
  });
});

test('an image through the overlayfs snapshotter on ext4: overlay on idmapped layers; the same facts', async () => {
  if (skipUnlessV2()) return;
  const archive = join(cacheDir, 'images', 'busybox.oci.tar');
  assert.ok(existsSync(archive), `${archive} is missing: run scripts/images/build-images.sh on the host`);
  await withSandbox(async (cd, s) => {
    const id = 'ur-img';
    await ctrOk(cd, ['images', 'import', archive], long);
    await ctrOk(cd, ['run', '-d', '--runtime', shimRuntime, '--runtime-config-path', s.config('default'), busyboxImage, id, 'sleep', '600'], long);
    try {
      await waitTaskStatus(cd, id, 'RUNNING', ctrTimeoutMs);
      const rootfs = join(cd.state, 'io.containerd.runtime.v2.task', ns, id, 'rootfs');
      const overlay = mountAt(rootfs);
      assert.ok(overlay, `the bundle's rootfs ${rootfs} is mounted`);
      assert.is(overlay.fstype, 'overlay');
      const layers = parseOverlayOptions(overlay.superOptions);
      // The overlay was mounted again on idmapped clones of the snapshot's layers.
      assert.ok(layers.lowerdirs.length > 0 && layers.lowerdirs.every((l) => l.startsWith(`${defaultStagingDir}/`)), overlay.superOptions);
      assert.ok(layers.upperdir && onExt4(layers.upperdir), `the upper layer is on ext4: ${layers.upperdir}`);
      assert.is(mountAt(viewOf(id))?.fstype, 'overlay', 'the pod\'s view is that overlay');

      const { hostId } = await checkUserns(cd, id);
      // The upper layer is not idmapped: the pod's writes land there as the range's ids...
      const upper = statSync(join(layers.upperdir!, 'written'));
      assert.equal([upper.uid, upper.gid], [hostId, hostId], 'the new file in the upper layer');
      // ...while the image's layers keep their owners on disk.
      const snapshots = join(cd.root, 'io.containerd.snapshotter.v1.overlayfs', 'snapshots');
      const layerBusybox = readdirSync(snapshots)
        .map((n) => join(snapshots, n, 'fs', 'bin', 'busybox'))
        .filter((p) => existsSync(p));
      assert.is(layerBusybox.length, 1, `one layer holds /bin/busybox: ${layerBusybox.join(' ')}`);
      const onDisk = statSync(layerBusybox[0]!);
      assert.equal([onDisk.uid, onDisk.gid], [0, 0], 'the image layer on disk');
    } finally {
      await removeTask(cd, id);
    }
    await afterRemoval(id);
    await ctrOk(cd, ['images', 'remove', busyboxImage], long);
  });
});

test('the escape probe in a user-namespaced container on cgroup v2: every probe is blocked', async () => {
  if (skipUnlessV2()) return;
  await withSandbox(async (cd, s) => {
    const id = 'ur-probe';
    const dir = makeScratchDir();
    const host = await makeHostFixtures(id);
    try {
      const rootfs = makeProbeRootfs(dir);
      const t0 = Date.now();
      const r = await cd.ctr(
        ['run', '--rm', '--runtime', shimRuntime, '--runtime-config-path', s.config('default'), ...busyboxRunFlags().slice(0, -1), rootfs, id, '/probe', ...host.probeArgs],
        { timeoutMs: 600_000 },
      );
      const report = parseProbeOutput(r.stdout);
      console.log(formatProbeTable(`our shim on cgroup v2 (containerd ${cd.version.version}), ${Math.round((Date.now() - t0) / 1000)}s`, report));
      assert.is(r.code, 0, `ctr run exited ${r.code}: ${r.stderr}`);
      assert.ok(report.summary, `the probe finished: ${r.stdout}\n${r.stderr}`);
      assert.is(report.results.length, report.summary!.total);
      const open = report.results.filter((p) => !p.blocked).map((p) => `${p.name}: ${p.detail}`);
      assert.equal(open, [], 'open under our shim');
    } finally {
      await host.close();
      removeScratchDir(dir);
    }
    await afterRemoval(id);
  });
});

test.run();
