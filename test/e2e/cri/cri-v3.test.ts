import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CriClient } from '../../../tools/cri';
import {
  availableVersions,
  makeScratchDir,
  removeScratchDir,
  startContainerd,
  testNamespace,
  type Containerd,
  type ContainerdVersion,
} from '../harness';
import { listEntries } from '../harness/host-state';
import { idmappedRootfsDir } from '../../../src/task/sandboxing';
import { shimDir } from '../support/shim-under-test';
import { renderCriConfig } from './cri-config';
import { images, importImages } from './cri-images';
import { containerConfig, podConfig, removePodCgroup } from './pod-fixtures';
import { criLeakCheck, criNamespace } from './cri-leak-check';
import { createPodNetwork } from './pod-network';
import { criLog, removeAllPods } from './cri-failure';

// [shim] task_api = "v3" on containerd 2.x: start declares the version-3 Task API, so CRI creates
// a pod's app containers on the pause container's shim without a `start` (and removes them
// without Shutdown or the `delete` binary). The same pod under "v2" is the baseline, start
// for start, and both are timed: that figure decides the default.

type TaskApi = 'v2' | 'v3';

const shimBinary = 'containerd-shim-metassembly-v2';
const timedPods = 5;

interface Run {
  cri: CriClient;
  cd: Containerd;
  dir: string;
  /** the actions (start, delete, ...) containerd ran the shim binary for, in order */
  invocations(): string[];
}

/**
 * A containerd 2.x with CRI whose handler `metassembly` runs our shim through a wrapper that
 * logs each invocation, with ConfigPath pointing at a TOML that sets task_api.
 */
async function withCri(v: ContainerdVersion, taskApi: TaskApi, body: (run: Run) => Promise<void>): Promise<void> {
  const dir = makeScratchDir();
  const net = createPodNetwork(dir, `mv${process.pid}-${taskApi}`);
  const wrapperDir = join(dir, 'shim-wrapper');
  const invocationLog = join(dir, 'shim-invocations.log');
  mkdirSync(wrapperDir);
  writeFileSync(join(wrapperDir, shimBinary), `#!/bin/sh\necho "$*" >> ${invocationLog}\nexec ${join(shimDir, shimBinary)} "$@"\n`);
  chmodSync(join(wrapperDir, shimBinary), 0o755);
  const shimConfig = join(dir, 'metassembly.toml');
  // bookworm's runc 1.1 cannot give a default pod its own user namespace: the operator's opt-in (see cri-config.ts)
  writeFileSync(shimConfig, `[shim]\ntask_api = ${JSON.stringify(taskApi)}\n[hardening]\nallow_host_user_namespace = true\n`);
  const options = `plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.metassembly.options`;
  let cd: Containerd | undefined;
  let cri: CriClient | undefined;
  try {
    cd = await startContainerd({
      version: v.series,
      shimDir: wrapperDir,
      cri: true,
      extraConfig: [
        renderCriConfig(v.series, { sandboxImage: images.pause, cniBinDir: net.binDir, cniConfDir: net.confDir }),
        `[${options}]`,
        `  ConfigPath = ${JSON.stringify(shimConfig)}`,
      ].join('\n'),
    });
    await importImages(cd);
    cri = new CriClient(cd.address);
    const invocations = (): string[] =>
      existsSync(invocationLog) ? readFileSync(invocationLog, 'utf8').trim().split('\n').map((l) => l.split(' ').at(-1)!) : [];
    await body({ cri, cd, dir, invocations });
  } catch (err) {
    await removeAllPods(cri);
    if (cd) console.error(`--- containerd ${v.version}: errors and our shim's lines ---\n${criLog(cd)}`);
    throw err;
  } finally {
    cri?.close();
    await cd?.stop();
    net.remove();
    removeScratchDir(dir);
  }
}

/** One pod of two containers, as kubelet starts it; returns the pod and containers and the wall time of the start. */
async function startPod(cri: CriClient, dir: string, name: string, cgroupParent: string) {
  const pod = podConfig({ name, logDirectory: join(dir, 'pod-logs', name), cgroupParent });
  const t0 = process.hrtime.bigint();
  const podId = await cri.runPodSandbox(pod, 'metassembly');
  const containers: string[] = [];
  for (const c of ['web', 'client']) {
    const id = await cri.createContainer(podId, containerConfig(c, 'exec sleep 3600'), pod);
    await cri.startContainer(id);
    containers.push(id);
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { podId, containers, ms };
}

async function removePod(cri: CriClient, podId: string, containers: string[]): Promise<void> {
  for (const id of containers) await cri.stopContainer(id, 2);
  for (const id of containers) await cri.removeContainer(id);
  await cri.stopPodSandbox(podId);
  await cri.removePodSandbox(podId);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const timings: Partial<Record<TaskApi, number[]>> = {};
const v2x = availableVersions().find((v) => v.series === '2.x');

if (!v2x) {
  console.log('cri-v3: containerd 2.x not available, skipped (task_api v3 is for 2.x only)');
} else {
  for (const taskApi of ['v2', 'v3'] as const) {
    test(`containerd ${v2x.version}, handler metassembly, task_api ${taskApi}: pod runs, execs, leaves nothing; ${taskApi === 'v3' ? '1 start' : '3 starts'} per pod`, async () => {
      const cgroupParent = (i: number): string => `/${testNamespace}/pod-v3-${taskApi}-${i}`;
      const check = criLeakCheck();
      const rootfsViewsBefore = new Set(listEntries(join(idmappedRootfsDir, criNamespace)));
      let leaks: string[];
      try {
        await withCri(v2x, taskApi, async ({ cri, dir, invocations }) => {
          // the checked pod: every container reachable, exec works, then torn down
          const first = await startPod(cri, dir, `v3-${taskApi}-0`, cgroupParent(0));
          assert.equal(invocations().filter((a) => a === 'start').length, taskApi === 'v3' ? 1 : 3, invocations().join(','));
          for (const id of first.containers) assert.equal((await cri.containerStatus(id)).status?.state, 'CONTAINER_RUNNING');
          const exec = await cri.execSync(first.containers[1], ['sh', '-c', 'echo out; echo err >&2; exit 7'], 10);
          assert.equal([exec.stdout.toString(), exec.stderr.toString(), exec.exitCode], ['out\n', 'err\n', 7]);
          await removePod(cri, first.podId, first.containers);
          assert.equal(await cri.listContainers(), []);
          assert.equal(await cri.listPodSandbox(), []);
          const deletes = invocations().filter((a) => a === 'delete').length;
          // v3: only the pause task's shim is ever started, so only it may get the delete binary
          if (taskApi === 'v3') assert.ok(deletes <= 1, invocations().join(','));
          removePodCgroup(cgroupParent(0));

          const ms: number[] = [];
          for (let i = 1; i <= timedPods; i++) {
            const before = invocations().filter((a) => a === 'start').length;
            const pod = await startPod(cri, dir, `v3-${taskApi}-${i}`, cgroupParent(i));
            ms.push(pod.ms);
            assert.equal(invocations().filter((a) => a === 'start').length - before, taskApi === 'v3' ? 1 : 3);
            await removePod(cri, pod.podId, pod.containers);
            removePodCgroup(cgroupParent(i));
          }
          timings[taskApi] = ms;
          console.log(`task_api ${taskApi}: RunPodSandbox + 2x(Create+Start) ms: ${ms.map((m) => m.toFixed(0)).join(' ')}, median ${median(ms).toFixed(0)}`);
        });
      } finally {
        for (let i = 0; i <= timedPods; i++) removePodCgroup(cgroupParent(i));
        leaks = await check.settledLeaks();
        await check.cleanup();
      }
      assert.equal(leaks, [], 'nothing of the pods is left on the host');
      const views = listEntries(join(idmappedRootfsDir, criNamespace)).filter((e) => !rootfsViewsBefore.has(e));
      assert.equal(views, [], 'no idmapped rootfs view left');
    });
  }
}

test.after(() => {
  if (timings.v2 && timings.v3) {
    console.log(`median pod start: v2 ${median(timings.v2).toFixed(0)} ms, v3 ${median(timings.v3).toFixed(0)} ms`);
  }
});

test.run();
