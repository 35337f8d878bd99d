import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CriClient, type Input, type NamespaceOption, type PodSandboxConfig } from '../../../tools/cri';
import { defaultStatePath } from '../../../src/userns/allocator';
import { defaultPool, isPoolRange, RANGE_SIZE } from '../../../src/userns/pool';
import { mountOf, readMountinfo } from '../../../src/userns/mountinfo';
import { parseOverlayOptions } from '../../../src/userns/overlay-options';
import { idmappedRootfsDir } from '../../../src/task/sandboxing';
import { hostConfigEnv } from '../../../src/task/runtime-options';
import { availableVersions, makeScratchDir, removeScratchDir, repoRoot, startContainerd, testNamespace, type Containerd, type ContainerdVersion } from '../harness';
import { shimDir } from '../support/shim-under-test';
import { renderCriConfig } from './cri-config';
import { images, importImages } from './cri-images';
import { criLeakCheck, criNamespace } from './cri-leak-check';
import { containerConfig, podConfig, removePodCgroup } from './pod-fixtures';
import { createPodNetwork } from './pod-network';
import { criLog, removeAllPods } from './cri-failure';
import { pausePid, sh } from './pod-probes';

// Kubernetes hostUsers: false through handler metassembly: kubelet sends the pod's mappings in
// NamespaceOption.userns_options (mode POD) and the shim honours them when they are a range of
// its pool. containerd 1.6 has no userns_options.
// - containerd 1.7 makes no netns before such a pod's pause (the runtime makes it in the pause's
//   new user namespace), so the pause keeps the pod's user namespace and the app containers
//   join it; and it shifts each container's snapshot to the pod's range, so the shim must not
//   idmap it again.
// - containerd 2.x pins a user namespace on the pod's mappings itself and hands every container
//   its path with the mappings: the shim keeps it and records the range as the pod's in its
//   allocator (refusing one outside the pool, as on 1.7). Its snapshots stay unshifted on disk:
//   the rootfs mount carries uidmap=/gidmap= options, and the shim mounts the overlay on
//   idmapped clones of its layers, as containerd's own mount code does. The app containers'
//   bind mounts are idmapped by the runtime, which containerd first checks the runtime's
//   features for (mountExtensions.idmap): it asks only a runc-type handler, so the handler is
//   declared as deploy/containerd/config-v3-runc-type.toml does (the shim's config then comes
//   from METASSEMBLY_CONFIG), on runc >= 1.2 (sid's, scripts/fetch-runc.sh), not bookworm's 1.1.5.

const sidRunc = join(repoRoot, '.cache/runc/sid/usr/sbin/runc');
const idmapStaging = '/run/metassembly/idmap/';
const versions = availableVersions().filter((v) => v.series === '1.7' || (v.series === '2.x' && existsSync(sidRunc)));

/** A range of our pool no pod holds now, from the top down, where next-fit allocation comes last. */
function freePoolRange(): number {
  const state = JSON.parse(readFileSync(defaultStatePath, 'utf8')) as { ranges: Array<{ hostID: number }> };
  const held = new Set(state.ranges.map((r) => r.hostID));
  for (let i = defaultPool.count - 1 - (process.pid % 64); i >= 0; i--) {
    const hostID = defaultPool.start + i * RANGE_SIZE;
    if (!held.has(hostID)) return hostID;
  }
  throw new Error('no free range in the user-namespace pool');
}

function rangeHeld(hostID: number): string | undefined {
  const state = JSON.parse(readFileSync(defaultStatePath, 'utf8')) as { ranges: Array<{ hostID: number; owner: { pod: string } }> };
  return state.ranges.find((r) => r.hostID === hostID)?.owner.pod;
}

/** As kubelet sets it for a hostUsers: false pod, on the pod and on each of its containers. */
function hostUsersFalse(hostId: number): Input<NamespaceOption> {
  const ids = [{ hostId, containerId: 0, length: RANGE_SIZE }];
  return { network: 'POD', pid: 'CONTAINER', ipc: 'POD', usernsOptions: { mode: 'POD', uids: ids, gids: ids } };
}

function userPod(dir: string, name: string, cgroupParent: string, hostId: number): Input<PodSandboxConfig> {
  const pod = podConfig({ name, logDirectory: join(dir, 'pod-logs'), cgroupParent });
  return { ...pod, linux: { ...pod.linux, securityContext: { ...pod.linux?.securityContext, namespaceOptions: hostUsersFalse(hostId) } } };
}

function userContainer(name: string, hostId: number): ReturnType<typeof containerConfig> {
  const c = containerConfig(name, 'exec sleep 3600');
  return { ...c, linux: { ...c.linux, securityContext: { ...c.linux?.securityContext, namespaceOptions: hostUsersFalse(hostId) } } };
}

const runtimesTable = `plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes`;

/** containerd 2.x's CRI config with handler metassembly declared runc-type, on our shim. */
function runcTypeCriConfig(config: string): string {
  const ours = `[${runtimesTable}.metassembly]\n  runtime_type = "io.containerd.metassembly.v2"\n`;
  assert.ok(config.includes(ours), config);
  return config.replace(
    ours,
    [
      `[${runtimesTable}.metassembly]`,
      `  runtime_type = "io.containerd.runc.v2"`,
      `  runtime_path = ${JSON.stringify(join(shimDir, 'containerd-shim-metassembly-v2'))}`,
      `[${runtimesTable}.metassembly.options]`,
      '  SystemdCgroup = false',
      '',
    ].join('\n'),
  );
}

async function withCri(v: ContainerdVersion, cgroupParent: string, body: (cri: CriClient, cd: Containerd, dir: string) => Promise<void>): Promise<void> {
  const check = criLeakCheck();
  const dir = makeScratchDir();
  const net = createPodNetwork(dir, `mu${process.pid}-${v.series.replace('.', '')}`);
  const shimConfig = join(dir, 'metassembly-sid.toml');
  if (v.series === '2.x') writeFileSync(shimConfig, `[runtime]\nbinary = ${JSON.stringify(sidRunc)}\n`);
  let cd: Containerd | undefined;
  let cri: CriClient | undefined;
  let leaks: string[];
  try {
    const criConfig = renderCriConfig(v.series, { sandboxImage: images.pause, cniBinDir: net.binDir, cniConfDir: net.confDir });
    cd = await startContainerd({
      version: v.series,
      shimDir,
      cri: true,
      ...(v.series === '2.x' ? { env: { [hostConfigEnv]: shimConfig }, extraConfig: runcTypeCriConfig(criConfig) } : { extraConfig: criConfig }),
    });
    await importImages(cd);
    cri = new CriClient(cd.address);
    await body(cri, cd, dir);
  } catch (err) {
    await removeAllPods(cri);
    if (cd) console.error(`--- containerd ${v.version}: errors and our shim's lines ---\n${criLog(cd)}`);
    throw err;
  } finally {
    cri?.close();
    await cd?.stop();
    net.remove();
    removeScratchDir(dir);
    removePodCgroup(cgroupParent);
    leaks = await check.settledLeaks();
    await check.cleanup();
    removePodCgroup(cgroupParent);
  }
  assert.equal(leaks, [], 'nothing of the pod is left on the host');
}

if (versions.length === 0) console.log(`cri-hostusers: neither containerd 1.7 nor 2.x with ${sidRunc} is there; nothing to run`);
for (const v of versions) {

  test(`containerd ${v.version}: a hostUsers: false pod on a range of the pool runs both containers in the pause's user namespace on it`, async () => {
    const cgroupParent = `/${testNamespace}/pod-hostusers-${v.series.replace('.', '')}`;
    const hostId = freePoolRange();
    const ids: string[] = [];
    await withCri(v, cgroupParent, async (cri, cd, dir) => {
      const pod = userPod(dir, 'hostusers', cgroupParent, hostId);
      const podId = await cri.runPodSandbox(pod, 'metassembly');
      ids.push(podId);
      assert.is(rangeHeld(hostId), `${criNamespace}/${podId}`, 'the pod holds the range it asked for');
      const pause = await pausePid(cd, podId);
      assert.ok(pause > 0, `the pause's pid (${pause})`);
      assert.match(readFileSync(`/proc/${pause}/uid_map`, 'utf8'), new RegExp(`^\\s*0\\s+${hostId}\\s+${RANGE_SIZE}\\s*$`), 'the pause runs on the pod range');

      const containers: string[] = [];
      for (const name of ['first', 'second']) {
        const id = await cri.createContainer(podId, userContainer(name, hostId), pod);
        await cri.startContainer(id);
        containers.push(id);
        ids.push(id);
      }
      const pauseUserns = `user:[${statSync(`/proc/${pause}/ns/user`).ino}]`;
      for (const id of containers) {
        assert.match(await sh(cri, id, 'cat /proc/self/uid_map'), new RegExp(`^0\\s+${hostId}\\s+${RANGE_SIZE}$`), 'uid_map');
        assert.match(await sh(cri, id, 'cat /proc/self/gid_map'), new RegExp(`^0\\s+${hostId}\\s+${RANGE_SIZE}$`), 'gid_map');
        assert.is(await sh(cri, id, 'readlink /proc/self/ns/user'), pauseUserns, 'joins the pause\'s user namespace');
        // Shifted once, by containerd: image files are root's inside, not the overflow id.
        assert.is(await sh(cri, id, 'stat -c %u:%g /bin/busybox /etc/passwd'), '0:0\n0:0');
        assert.is(await sh(cri, id, 'id -u; touch /tmp/w && stat -c %u /tmp/w'), '0\n0');

        const mounts = readMountinfo();
        const bundleRootfsPath = join(cd.state, 'io.containerd.runtime.v2.task', criNamespace, id, 'rootfs');
        const bundleRootfs = mountOf(mounts, bundleRootfsPath);
        assert.is(bundleRootfs?.fstype, 'overlay');
        const lowerdirs = parseOverlayOptions(bundleRootfs!.superOptions).lowerdirs;
        if (v.series === '2.x') {
          // The shim mounted the snapshot's overlay on idmapped clones of its layers (detached
          // once the overlay holds them): the rootfs shows the pod range, the disk is unshifted.
          assert.ok(lowerdirs.every((d) => d.startsWith(idmapStaging)), `the overlay stands on idmapped layers (${bundleRootfs!.superOptions})`);
          assert.is(statSync(join(bundleRootfsPath, 'bin', 'busybox')).uid, hostId, 'the bundle rootfs is on the pod range');
        } else {
          // On the host, the snapshot containerd handed the shim is already on the pod range,
          // and the view the container runs on is that rootfs as it is, not idmapped again.
          const layer = lowerdirs.find((d) => existsSync(join(d, 'bin', 'busybox')));
          assert.ok(layer, `a snapshot layer holds /bin/busybox (${bundleRootfs!.superOptions})`);
          assert.is(statSync(join(layer!, 'bin', 'busybox')).uid, hostId, `containerd shifted the snapshot on disk (${layer})`);
        }
        const view = join(idmappedRootfsDir, criNamespace, id);
        assert.is(statSync(join(view, 'bin', 'busybox')).uid, hostId, 'the view shows the files as they are');
        assert.is(mountOf(mounts, view)?.fstype, 'overlay');
        assert.not.ok(mountOf(mounts, view)?.mountOptions.includes('idmapped'), 'the view is not idmapped');
      }
      assert.is(await sh(cri, containers[0], 'echo exec-ok'), 'exec-ok');

      for (const id of containers) await cri.stopContainer(id, 2);
      for (const id of containers) await cri.removeContainer(id);
      await cri.stopPodSandbox(podId);
      await cri.removePodSandbox(podId);
      assert.equal(await cri.listPodSandbox(), []);
    });
    assert.is(rangeHeld(hostId), undefined, 'the range went back to the pool');
    for (const id of ids) assert.not.ok(existsSync(join(idmappedRootfsDir, criNamespace, id)), `view of ${id} removed`);
  });

  test(`containerd ${v.version}: a hostUsers: false range outside the pool is refused with the allocator's reason`, async () => {
    const cgroupParent = `/${testNamespace}/pod-hostusers-out-${v.series.replace('.', '')}`;
    const outside = defaultPool.start - 16 * RANGE_SIZE;
    assert.not.ok(isPoolRange(defaultPool, outside));
    await withCri(v, cgroupParent, async (cri, _cd, dir) => {
      const err = await cri.runPodSandbox(userPod(dir, 'hostusers-out', cgroupParent, outside), 'metassembly').then(
        (id) => new Error(`RunPodSandbox succeeded: ${id}`),
        (e: Error) => e,
      );
      assert.match(err.message, /^CRI RunPodSandbox: /);
      assert.match(err.message, new RegExp(`${outside}.*is not a range of the pool`));
      assert.match(err.message, /this host gives each pod container ids 0-65535/);
      assert.equal(await cri.listPodSandbox(), [], 'containerd rolled the refused sandbox back');
    });
    assert.is(rangeHeld(outside), undefined);
  });
}

test.run();
