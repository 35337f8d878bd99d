import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CriClient, type Input, type PodSandboxConfig } from '../../../tools/cri';
import { podSysfsDir } from '../../../src/task/pod-network-host';
import { mountOf, readMountinfo } from '../../../src/userns/mountinfo';
import { defaultPool, isPoolRange, RANGE_SIZE } from '../../../src/userns/pool';
import { availableVersions, makeScratchDir, removeScratchDir, repoRoot, startContainerd, testNamespace, type Containerd, type ContainerdVersion } from '../harness';
import { listEntries } from '../harness/host-state';
import { shimDir } from '../support/shim-under-test';
import { renderCriConfig, runtimeHandlers } from './cri-config';
import { images, importImages } from './cri-images';
import { criLeakCheck, criNamespace } from './cri-leak-check';
import { containerConfig, podConfig, removePodCgroup } from './pod-fixtures';
import { createPodNetwork } from './pod-network';
import { criLog, removeAllPods } from './cri-failure';
import { pausePid, sh } from './pod-probes';

// A default Kubernetes pod (hostUsers unset) through the shim: containerd puts the pause in the
// CNI network namespace, which the host's user namespace owns. With a runc that joins namespaces
// before the user namespace (sid's 1.3.6, scripts/fetch-runc.sh), the shim keeps the pod in a
// user namespace of its own: it stages a sysfs of the pod's network namespace for the containers'
// /sys and writes the pod's net.* sysctls from the host's side. With bookworm's runc 1.1.5 the
// same pod is refused by the strict default, naming what is missing, and runs in the host's
// user namespace only by the operator's opt-in. Handlers: `metassembly` (the system runc,
// default config), `metassembly-sid` (the same shim, its [runtime] binary pointed at sid's
// runc) and `metassembly-hostns` (the system runc, hardening.allow_host_user_namespace).

const sidRunc = join(repoRoot, '.cache/runc/sid/usr/sbin/runc');
const sidHandler = 'metassembly-sid';
const hostnsHandler = 'metassembly-hostns';

function runtimesTable(v: ContainerdVersion): string {
  return v.series === '2.x' ? `plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes` : `plugins."io.containerd.grpc.v1.cri".containerd.runtimes`;
}

/** The sysctl the pod asks for, checked inside: containerd 2.x sets it on every pause itself. */
function expectedPortStart(v: ContainerdVersion): { requested?: string; value: string } {
  return v.series === '2.x' ? { value: '0' } : { requested: '1000', value: '1000' };
}

function pod(v: ContainerdVersion, dir: string, name: string, cgroupParent: string): Input<PodSandboxConfig> {
  const base = podConfig({ name, logDirectory: join(dir, 'pod-logs', name), cgroupParent });
  const requested = expectedPortStart(v).requested;
  if (requested === undefined) return base;
  return { ...base, linux: { ...base.linux, sysctls: { 'net.ipv4.ip_unprivileged_port_start': requested } } };
}

const userns = (pid: number | 'self'): string => readlinkSync(`/proc/${pid}/ns/user`);

interface RunningPod {
  podId: string;
  containers: string[];
  pause: number;
}

/** A pod of two containers, web serving on the pod's loopback, as kubelet starts it. */
async function startPod(cri: CriClient, cd: Containerd, config: Input<PodSandboxConfig>, handler: string): Promise<RunningPod> {
  const podId = await cri.runPodSandbox(config, handler);
  const containers: string[] = [];
  const serve = 'echo hello-from-web > /tmp/index.html; exec httpd -f -p 127.0.0.1:8080 -h /tmp';
  for (const [name, script] of [['web', serve], ['client', 'exec sleep 3600']]) {
    const id = await cri.createContainer(podId, containerConfig(name, script), config);
    await cri.startContainer(id);
    containers.push(id);
  }
  const pause = await pausePid(cd, podId);
  assert.ok(pause > 0, `the pause's pid (${pause})`);
  return { podId, containers, pause };
}

async function checkPodWorks(cri: CriClient, p: RunningPod): Promise<void> {
  const status = (await cri.podSandboxStatus(p.podId)).status;
  assert.match(status?.network?.ip ?? '', /^10\.254\.0\.\d+$/, 'the pod got its CNI address');
  const [web, client] = p.containers;
  assert.match(await sh(cri, web, 'ip -4 addr show eth0'), new RegExp(`inet ${status!.network!.ip.replace(/\./g, '\\.')}/`));
  let fetched = '';
  for (let i = 0; i < 20 && !fetched.includes('hello-from-web'); i++) {
    fetched = (await cri.execSync(client, ['wget', '-qO-', 'http://127.0.0.1:8080/index.html'], 5)).stdout.toString();
    if (!fetched) await new Promise((r) => setTimeout(r, 100));
  }
  assert.is(fetched, 'hello-from-web\n', 'client reached web over localhost');
}

async function removePod(cri: CriClient, p: RunningPod): Promise<void> {
  for (const id of p.containers) await cri.stopContainer(id, 2);
  for (const id of p.containers) await cri.removeContainer(id);
  await cri.stopPodSandbox(p.podId);
  await cri.removePodSandbox(p.podId);
}

const versions = availableVersions();

if (!existsSync(sidRunc)) {
  console.log(`cri-userns-default: ${sidRunc} is missing (scripts/fetch-runc.sh fetches it, from Debian's mirrors); skipped`);
} else {
  for (const v of versions) {
    test(`containerd ${v.version}: a default pod runs in its own user namespace with runc 1.3.6; with runc 1.1.5 it is refused, or by opt-in runs in the host's; nothing left`, async () => {
      const cgroupParent = `/${testNamespace}/pod-userns-default-${v.series.replace('.', '')}`;
      const check = criLeakCheck();
      const stagedBefore = new Set(listEntries(join(podSysfsDir, criNamespace)));
      const dir = makeScratchDir();
      const net = createPodNetwork(dir, `mu${process.pid}-${v.series.replace('.', '')}`);
      const stateDir = join(dir, 'shim-state');
      const sidConfig = join(dir, 'metassembly-sid.toml');
      writeFileSync(sidConfig, `[runtime]\nbinary = ${JSON.stringify(sidRunc)}\n[shim]\nstate_dir = ${JSON.stringify(stateDir)}\n`);
      const hostnsConfig = join(dir, 'metassembly-hostns.toml');
      writeFileSync(hostnsConfig, `[shim]\nstate_dir = ${JSON.stringify(stateDir)}\n[hardening]\nallow_host_user_namespace = true\n`);
      const table = runtimesTable(v);
      let cd: Containerd | undefined;
      let cri: CriClient | undefined;
      let leaks: string[];
      const stagedPods: string[] = [];
      try {
        cd = await startContainerd({
          version: v.series,
          shimDir,
          cri: true,
          extraConfig: [
            renderCriConfig(v.series, { sandboxImage: images.pause, cniBinDir: net.binDir, cniConfDir: net.confDir }),
            `[${table}.${sidHandler}]`,
            `  runtime_type = ${JSON.stringify(runtimeHandlers.metassembly)}`,
            `[${table}.${sidHandler}.options]`,
            `  ConfigPath = ${JSON.stringify(sidConfig)}`,
            `[${table}.${hostnsHandler}]`,
            `  runtime_type = ${JSON.stringify(runtimeHandlers.metassembly)}`,
            `[${table}.${hostnsHandler}.options]`,
            `  ConfigPath = ${JSON.stringify(hostnsConfig)}`,
          ].join('\n'),
        });
        await importImages(cd);
        cri = new CriClient(cd.address);
        const portStart = expectedPortStart(v).value;

        // runc 1.3.6: the pod's own user namespace, on a range of the pool, shared by the pause and both containers
        const sid = await startPod(cri, cd, pod(v, dir, 'userns-sid', cgroupParent), sidHandler);
        stagedPods.push(sid.podId);
        const pauseUserns = userns(sid.pause);
        assert.is.not(pauseUserns, userns('self'), 'the pause is not in the host\'s user namespace');
        const hostID = Number(/^\s*0\s+(\d+)\s+(\d+)\s*$/.exec(readFileSync(`/proc/${sid.pause}/uid_map`, 'utf8'))?.[1]);
        assert.ok(isPoolRange(defaultPool, hostID), `the pause runs on a range of the pool (${hostID})`);
        for (const id of sid.containers) {
          assert.match(await sh(cri, id, 'cat /proc/self/uid_map'), new RegExp(`^0\\s+${hostID}\\s+${RANGE_SIZE}$`), 'uid_map');
          assert.is(await sh(cri, id, 'readlink /proc/self/ns/user'), pauseUserns, 'the pause\'s user namespace');
          assert.is(await sh(cri, id, 'ls /sys/class/net | sort | tr "\\n" " "'), 'eth0 lo', 'the pod\'s interfaces only');
          assert.is(await sh(cri, id, 'cat /proc/sys/net/ipv4/ip_unprivileged_port_start'), portStart);
          assert.match(await sh(cri, id, 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'), /^\d+$/, 'its cgroup is mounted over the bound /sys');
          assert.match(await sh(cri, id, 'ls /sys/firmware | wc -l; touch /sys/x 2>&1 || true'), /^0\n.*Read-only file system/, '/sys masked and read-only');
        }
        await checkPodWorks(cri, sid);
        const staged = join(podSysfsDir, criNamespace, sid.podId, 'sys');
        assert.is(mountOf(readMountinfo(), staged)?.mountPoint, staged, 'the pod\'s sysfs is staged while it runs');
        for (const id of sid.containers) assert.is(Number(await sh(cri, id, 'stat -c %d /sys')), statSync(staged).dev, 'the container\'s /sys is the staged sysfs');
        const audit = readFileSync(join(stateDir, 'audit', `${criNamespace}.jsonl`), 'utf8');
        assert.ok(audit.includes('"what":"sysfs at /sys","action":"changed"'), 'the audit says /sys was rebound');

        // runc 1.1.5, strict default: the pod is refused, naming the runtime it needs and the opt-in
        const refused = await cri.runPodSandbox(pod(v, dir, 'userns-refused', cgroupParent), 'metassembly').then(
          (id) => new Error(`ran as ${id}`),
          (err: Error) => err,
        );
        assert.match(refused.message, /cannot run in a user namespace of its own: use an OCI runtime that joins namespaces before the user namespace \(runc >= 1\.2 or crun/);
        assert.match(refused.message, /hardening\.allow_host_user_namespace = true/);
        for (const p of await cri.listPodSandbox()) if (p.metadata?.name === 'userns-refused') await cri.removePodSandbox(p.id);

        // runc 1.1.5 with the opt-in: the same pod, in the host's user namespace, nothing staged
        const old = await startPod(cri, cd, pod(v, dir, 'userns-old', cgroupParent), hostnsHandler);
        assert.is(userns(old.pause), userns('self'), 'runc 1.1: the pause runs in the host\'s user namespace');
        for (const id of old.containers) {
          assert.match(await sh(cri, id, 'cat /proc/self/uid_map'), /^0\s+0\s+4294967295$/);
          assert.is(await sh(cri, id, 'ls /sys/class/net | sort | tr "\\n" " "'), 'eth0 lo');
          assert.is(await sh(cri, id, 'cat /proc/sys/net/ipv4/ip_unprivileged_port_start'), portStart);
        }
        await checkPodWorks(cri, old);
        assert.not.ok(existsSync(join(podSysfsDir, criNamespace, old.podId)), 'nothing staged for a pod in the host\'s user namespace');

        console.log(`containerd ${v.version}: runc 1.3.6 pod in ${pauseUserns} on range ${hostID}, /sys staged at ${staged}; runc 1.1.5 refused by default, by opt-in in the host's ${userns('self')}`);

        await removePod(cri, sid);
        await removePod(cri, old);
        assert.equal(await cri.listPodSandbox(), []);
        assert.not.ok(existsSync(join(podSysfsDir, criNamespace, sid.podId)), 'the staged sysfs went with the sandbox');
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
      assert.equal(leaks, [], 'nothing of the pods is left on the host');
      const stagedLeft = listEntries(join(podSysfsDir, criNamespace)).filter((e) => !stagedBefore.has(e));
      assert.equal(stagedLeft, [], 'no staged sysfs left');
      const mounted = readMountinfo().filter((m) => stagedPods.some((id) => m.mountPoint.startsWith(join(podSysfsDir, criNamespace, id))));
      assert.equal(mounted, [], 'no staged sysfs mount left');
    });
  }
}

test.run();
