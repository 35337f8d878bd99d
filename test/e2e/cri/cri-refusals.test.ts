import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CriClient, type Input, type PodSandboxConfig } from '../../../tools/cri';
import {
  availableVersions,
  leakCheck,
  makeScratchDir,
  removeScratchDir,
  startContainerd,
  testNamespace,
  type Containerd,
  type ContainerdVersion,
  type LeakCheck,
} from '../harness';
import { listEntries, runcStateDir } from '../harness/host-state';
import { eventually } from '../support/eventually';
import { shimDir, shimRuntimeRoot } from '../support/shim-under-test';
import { hostUsernsOptInConfig, renderCriConfig } from './cri-config';
import { images, importImages } from './cri-images';
import { criNamespace } from './cri-leak-check';
import { canLowerOomScoreAdj } from './host-caps';
import { containerConfig, podConfig, removePodCgroup } from './pod-fixtures';
import { createPodNetwork, type PodNetwork } from './pod-network';
import { criLog, removeAllPods } from './cri-failure';

// Issue 5's refusals: what kubelet asks for a hostNetwork or privileged pod is refused by
// handler metassembly's hardening with an error that names the opt-in, while the stock
// runc handler in the same containerd runs it. One containerd per version serves both.

const optIn = /hardening\.allow_privileged/;

interface Env {
  dir: string;
  net: PodNetwork;
  check: LeakCheck;
  /** Every sandbox and container id this suite's containerd logged, kept once it stops. */
  ids: Set<string>;
  cd?: Containerd;
  cri?: CriClient;
}

/** The pod cgroup parents this file uses, removed as kubelet would after each pod. */
const cgroupParents = new Set<string>();

function hostNetworkPod(env: Env, name: string): Input<PodSandboxConfig> {
  const cgroupParent = `/${testNamespace}/pod-${name}`;
  cgroupParents.add(cgroupParent);
  const pod = podConfig({ name, logDirectory: join(env.dir, 'pod-logs'), cgroupParent });
  // As kubelet sends hostNetwork: true: the node's UTS namespace too, so no hostname of the
  // pod's own (runc refuses one without a private UTS namespace), and no CNI, so no ports.
  return {
    ...pod,
    hostname: '',
    portMappings: [],
    linux: { ...pod.linux, securityContext: { ...pod.linux?.securityContext, namespaceOptions: { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' } } },
  };
}

/** kubelet marks the sandbox privileged when any container of the pod is. */
function privilegedPod(env: Env, name: string): Input<PodSandboxConfig> {
  const cgroupParent = `/${testNamespace}/pod-${name}`;
  cgroupParents.add(cgroupParent);
  const pod = podConfig({ name, logDirectory: join(env.dir, 'pod-logs'), cgroupParent });
  return { ...pod, linux: { ...pod.linux, securityContext: { ...pod.linux?.securityContext, privileged: true } } };
}

function privilegedContainer(name: string, script: string): ReturnType<typeof containerConfig> {
  const c = containerConfig(name, script);
  return { ...c, linux: { ...c.linux, securityContext: { ...c.linux?.securityContext, privileged: true } } };
}

/** The rejection of p, or a failure naming what unexpectedly succeeded. */
async function refusal(p: Promise<unknown>, what: string): Promise<Error> {
  const got = await p.then((v) => v, (e: Error) => e);
  if (!(got instanceof Error)) assert.unreachable(`${what} succeeded: ${String(got)}`);
  return got as Error;
}

async function expectNothingListed(cri: CriClient): Promise<void> {
  assert.equal(await cri.listContainers(), [], 'no container left in CRI');
  assert.equal(await cri.listPodSandbox(), [], 'no pod sandbox left in CRI');
}

const stateDirs = [join(runcStateDir, criNamespace), join(shimRuntimeRoot, criNamespace)];

/**
 * Per-container state runc and our shim keep under k8s.io, limited to the ids of this
 * suite: the directories are shared by every CRI test on the host, so another run's live
 * pods appear there too (criLeakCheck counts and removes any new entry).
 */
function ownState(ids: Set<string>): string[] {
  return stateDirs.flatMap((d) => listEntries(d)).filter((e) => ids.has(basename(e)));
}

/** Remembers the ids containerd handled (sandboxes, containers, refused ones too), then stops it. */
async function stopContainerd(env: Env): Promise<void> {
  env.cri?.close();
  env.cri = undefined;
  for (const id of env.cd?.log().match(/\b[0-9a-f]{64}\b/g) ?? []) env.ids.add(id);
  await env.cd?.stop();
  env.cd = undefined;
}

async function settledLeaks(env: Env): Promise<string[]> {
  const find = (): string[] => [...env.check.leaks(), ...ownState(env.ids).map((e) => `runtime-state: ${e}`)];
  return eventually(find, (l) => l.length === 0, { timeoutMs: 5_000, intervalMs: 200 }).catch(() => find());
}

/** Runs body; on failure shows containerd's log and removes every pod so the next test starts clean. */
async function step(env: Env, body: (cri: CriClient, cd: Containerd) => Promise<void>): Promise<void> {
  const { cri, cd } = env;
  if (!cri || !cd) return assert.unreachable('containerd did not start');
  try {
    await body(cri, cd);
  } catch (err) {
    console.error(`--- containerd ${cd.version.version} log ---\n${criLog(cd)}`);
    await removeAllPods(cri);
    throw err;
  }
}

function versionSuite(v: ContainerdVersion): void {
  const tag = v.series.replace('.', '');
  const s = suite<Env>(`containerd ${v.version}`, {} as Env);
  const noCapSysResource = !canLowerOomScoreAdj();

  s.before(async (env) => {
    env.check = leakCheck();
    env.ids = new Set();
    env.dir = makeScratchDir();
    env.net = createPodNetwork(env.dir, `mr${process.pid}-${tag}`);
    env.cd = await startContainerd({
      version: v.series,
      shimDir,
      cri: true,
      extraConfig: renderCriConfig(v.series, {
        sandboxImage: images.pause,
        cniBinDir: env.net.binDir,
        cniConfDir: env.net.confDir,
        // The runc baseline cannot start a pause container here without containerd's clamp;
        // it changes nothing of what hardening refuses.
        restrictOomScoreAdj: noCapSysResource,
        metassemblyConfigPath: hostUsernsOptInConfig(env.dir),
      }),
    });
    await importImages(env.cd);
    env.cri = new CriClient(env.cd.address);
  });

  // Idempotent teardown for a suite that failed before its last test.
  s.after(async (env) => {
    if (env.cri) await removeAllPods(env.cri);
    await stopContainerd(env);
    env.net?.remove();
    if (env.dir) removeScratchDir(env.dir);
    for (const c of cgroupParents) removePodCgroup(c);
    await env.check?.cleanup();
    for (const e of ownState(env.ids ?? new Set())) rmSync(e, { recursive: true, force: true });
  });

  s('hostNetwork on handler metassembly: RunPodSandbox is refused naming the host network namespace and the opt-in', (env) =>
    step(env, async (cri) => {
      const err = await refusal(cri.runPodSandbox(hostNetworkPod(env, `hn-${tag}-ms`), 'metassembly'), 'RunPodSandbox');
      console.log(`  [${v.version}] hostNetwork/metassembly: ${err.constructor.name}: ${err.message}`);
      assert.match(err.message, /^CRI RunPodSandbox: /);
      assert.match(err.message, /hardening policy refused container/);
      assert.match(err.message, /host network namespace/);
      assert.match(err.message, optIn);
      await expectNothingListed(cri);
    }));

  s('hostNetwork on handler runc: the same pod runs', (env) =>
    step(env, async (cri) => {
      const pod = hostNetworkPod(env, `hn-${tag}-runc`);
      const podId = await cri.runPodSandbox(pod, 'runc');
      const status = (await cri.podSandboxStatus(podId)).status;
      assert.equal(status?.state, 'SANDBOX_READY');
      assert.equal(status?.linux?.namespaces?.options?.network, 'NODE');
      await cri.stopPodSandbox(podId);
      await cri.removePodSandbox(podId);
      await expectNothingListed(cri);
    }));

  s('privileged on handler metassembly: refused naming the opt-in, at RunPodSandbox or at the container', (env) =>
    step(env, async (cri) => {
      const pod = privilegedPod(env, `pr-${tag}-ms`);
      const sandbox = await cri.runPodSandbox(pod, 'metassembly').then((id) => id, (e: Error) => e);
      let err: Error;
      let where: string;
      console.log(`  [${v.version}] privileged/metassembly RunPodSandbox: ${sandbox instanceof Error ? 'refused' : sandbox}`);
      if (sandbox instanceof Error) {
        err = sandbox;
        where = 'RunPodSandbox';
      } else {
        const created = await cri.createContainer(sandbox, privilegedContainer('priv', 'exec sleep 3600'), pod).then((id) => id, (e: Error) => e);
        if (created instanceof Error) {
          err = created;
          where = 'CreateContainer';
        } else {
          console.log(`  [${v.version}] privileged/metassembly CreateContainer: ${created}`);
          err = await refusal(cri.startContainer(created), 'StartContainer of a privileged container');
          where = 'StartContainer';
          await cri.removeContainer(created);
        }
        await cri.stopPodSandbox(sandbox);
        await cri.removePodSandbox(sandbox);
      }
      console.log(`  [${v.version}] privileged/metassembly refused at ${where}: ${err.constructor.name}: ${err.message}`);
      assert.match(err.message, /hardening policy refused container/);
      assert.match(err.message, optIn);
      await expectNothingListed(cri);
    }));

  s('privileged on handler runc: the privileged container runs with the full capability set', (env) =>
    step(env, async (cri) => {
      const pod = privilegedPod(env, `pr-${tag}-runc`);
      const podId = await cri.runPodSandbox(pod, 'runc');
      const id = await cri.createContainer(podId, privilegedContainer('priv', 'exec sleep 3600'), pod);
      await cri.startContainer(id);
      assert.equal((await cri.containerStatus(id)).status?.state, 'CONTAINER_RUNNING');
      const caps = await cri.execSync(id, ['grep', '^CapEff:', '/proc/self/status'], 10);
      assert.equal(caps.exitCode, 0, caps.stderr.toString());
      // Whatever the host grants containerd, a privileged container gets all of it (CAP_SYS_ADMIN among it).
      const eff = BigInt(`0x${caps.stdout.toString().split(/\s+/)[1]}`);
      assert.ok(((eff >> 21n) & 1n) === 1n, `CapEff ${caps.stdout.toString().trim()} holds CAP_SYS_ADMIN`);
      await cri.stopContainer(id, 2);
      await cri.removeContainer(id);
      await cri.stopPodSandbox(podId);
      await cri.removePodSandbox(podId);
      await expectNothingListed(cri);
    }));

  s('nothing of the refused or run pods is left once containerd stops', async (env) => {
    await stopContainerd(env);
    env.net.remove();
    removeScratchDir(env.dir);
    for (const c of cgroupParents) removePodCgroup(c);
    assert.ok(env.ids.size >= 6, `containerd logged the ids of this suite's pods and containers (${env.ids.size})`);
    const leaks = await settledLeaks(env);
    assert.equal(leaks, [], 'nothing of the pods is left on the host');
  });

  s.run();
}

for (const v of availableVersions()) versionSuite(v);
