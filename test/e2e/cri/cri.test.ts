import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UnknownError } from '../../../src/errors';
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
import { shimDir } from '../support/shim-under-test';
import { hostUsernsOptInConfig, renderCriConfig, runtimeHandlers, type HandlerName } from './cri-config';
import { criLog, removeAllPods } from './cri-failure';
import { images, importImages } from './cri-images';
import { containerConfig, containerMemoryLimit, podConfig, removePodCgroup } from './pod-fixtures';
import { criLeakCheck } from './cri-leak-check';
import { canLowerOomScoreAdj } from './host-caps';
import { createPodNetwork, type PodNetwork } from './pod-network';

// Kubelet's side of the Kubernetes path, made by our CRI client against a private containerd
// with CRI on: a pod of two busybox containers through a runtime handler, first the stock
// `runc` handler as the baseline, then `metassembly`.

async function withCri(
  v: ContainerdVersion,
  opts: { restrictOomScoreAdj: boolean },
  body: (cri: CriClient, env: { cd: Containerd; dir: string; net: PodNetwork }) => Promise<void>,
): Promise<void> {
  const dir = makeScratchDir();
  const net = createPodNetwork(dir, `mt${process.pid}-${v.series.replace('.', '')}`);
  let cd: Containerd | undefined;
  let cri: CriClient | undefined;
  try {
    cd = await startContainerd({
      version: v.series,
      shimDir,
      cri: true,
      extraConfig: renderCriConfig(v.series, {
        sandboxImage: images.pause,
        cniBinDir: net.binDir,
        cniConfDir: net.confDir,
        restrictOomScoreAdj: opts.restrictOomScoreAdj,
        metassemblyConfigPath: hostUsernsOptInConfig(dir),
      }),
    });
    await importImages(cd);
    cri = new CriClient(cd.address);
    await body(cri, { cd, dir, net });
  } catch (err) {
    // As kubelet would: a failed test must not leave its pods mounted under the scratch dir.
    await removeAllPods(cri);
    if (cd) console.error(`--- containerd ${v.version} log, CRI and shim lines ---\n${criLog(cd)}`);
    throw err;
  } finally {
    cri?.close();
    await cd?.stop();
    net.remove();
    removeScratchDir(dir);
  }
}

/**
 * Runs body, then removes the pod cgroup as kubelet would and asserts nothing else is left;
 * what is left is removed either way, so one failure does not leak into the next test.
 */
async function withLeakCheck(cgroupParent: string, body: () => Promise<void>): Promise<void> {
  const check = criLeakCheck();
  let leaks: string[];
  try {
    await body();
  } finally {
    removePodCgroup(cgroupParent);
    leaks = await check.settledLeaks();
    await check.cleanup();
    removePodCgroup(cgroupParent);
  }
  assert.equal(leaks, [], 'nothing of the pod is left on the host');
}

/**
 * The stock runc-v2 shim loads a container's cgroups from /proc/<pid>/cgroup and gives up when
 * a listed v1 controller has no v1 mount: on hybrid hosts with hugetlb on the unified mount it
 * logs this and answers no metrics, so CRI's ContainerStats fails for handler runc.
 */
function runcShimCannotLoadCgroups(cd: Containerd): boolean {
  return /loading cgroup for \d+" error="cgroups: cannot find cgroup mount destination/.test(cd.log());
}

const versions = availableVersions();
// The baseline first, so a host problem shows before it is blamed on the shim.
const handlers = Object.keys(runtimeHandlers) as HandlerName[];
const noCapSysResource = !canLowerOomScoreAdj();

for (const v of versions) {
  const tag = v.series.replace('.', '');

  if (noCapSysResource) {
    // The measurement behind the shim's clamp: stock runc cannot start a pause container here.
    test(`containerd ${v.version}, handler runc, no CAP_SYS_RESOURCE: RunPodSandbox fails on oom_score_adj -998`, async () => {
      const cgroupParent = `/${testNamespace}/pod-${tag}-oom`;
      await withLeakCheck(cgroupParent, () => withCri(v, { restrictOomScoreAdj: false }, async (cri, { dir }) => {
        const pod = podConfig({ name: 'cri-oom', logDirectory: join(dir, 'pod-logs'), cgroupParent });
        const err = await cri.runPodSandbox(pod, 'runc').then(
          () => undefined,
          (e: Error) => e,
        );
        assert.instance(err, UnknownError);
        assert.match(err!.message, /runc create failed/);
        assert.equal(await cri.listPodSandbox(), [], 'containerd rolled the failed sandbox back');
      }));
    });
  }

  for (const handler of handlers) {
    test(`containerd ${v.version}, handler ${handler}: a two-container pod runs, execs, reports stats and leaves nothing`, async () => {
      const cgroupParent = `/${testNamespace}/pod-${tag}-${handler}`;
      // Only the baseline gets containerd's clamp; through metassembly the shim's own must do.
      const restrictOomScoreAdj = handler === 'runc' && noCapSysResource;
      await withLeakCheck(cgroupParent, () => withCri(v, { restrictOomScoreAdj }, async (cri, { cd, dir, net }) => {
        const ver = await cri.version();
        assert.equal(ver.runtimeName, 'containerd');
        assert.equal(ver.runtimeApiVersion, 'v1');

        const status = await cri.status();
        const conditions = Object.fromEntries((status.status?.conditions ?? []).map((c) => [c.type, c.status]));
        // 1.7+ add informational conditions (ContainerdHasNoDeprecationWarnings); kubelet needs these two.
        assert.equal([conditions.RuntimeReady, conditions.NetworkReady], [true, true], JSON.stringify(status.status));
        if (v.series === '2.x') {
          assert.ok(status.runtimeHandlers.some((h) => h.name === handler), JSON.stringify(status.runtimeHandlers));
        }

        assert.ok(await cri.imageStatus(images.pause), 'pause image imported');
        assert.ok(await cri.imageStatus(images.busybox), 'busybox image imported');

        const pod = podConfig({ name: `cri-${handler}`, logDirectory: join(dir, 'pod-logs'), cgroupParent });
        const podId = await cri.runPodSandbox(pod, handler);
        const podStatus = (await cri.podSandboxStatus(podId)).status;
        assert.equal(podStatus?.state, 'SANDBOX_READY');
        assert.equal(podStatus?.runtimeHandler, handler);
        assert.equal(podStatus?.annotations['metassembly.io/test'], 'cri');
        assert.match(podStatus?.network?.ip ?? '', /^10\.254\.0\.\d+$/);
        assert.ok(net.bridgeExists(), `bridge ${net.bridge} in namespace ${net.netns}`);
        assert.not.ok(existsSync(`/sys/class/net/${net.bridge}`), 'no bridge in the host network namespace');

        // web serves on the pod's loopback; client reaches it over localhost.
        const serve = 'echo hello-from-web > /tmp/index.html; exec httpd -f -p 127.0.0.1:8080 -h /tmp';
        const web = await cri.createContainer(podId, containerConfig('web', serve), pod);
        const client = await cri.createContainer(podId, containerConfig('client', 'exec sleep 3600'), pod);
        await cri.startContainer(web);
        await cri.startContainer(client);

        const exec = await cri.execSync(client, ['sh', '-c', 'echo out; echo err >&2; exit 7'], 10);
        assert.equal(exec.stdout.toString(), 'out\n');
        assert.equal(exec.stderr.toString(), 'err\n');
        assert.equal(exec.exitCode, 7);

        let fetched = '';
        for (let i = 0; i < 20 && !fetched.includes('hello-from-web'); i++) {
          const got = await cri.execSync(client, ['wget', '-qO-', 'http://127.0.0.1:8080/index.html'], 5);
          fetched = got.stdout.toString();
          if (!fetched) await new Promise((r) => setTimeout(r, 100));
        }
        assert.equal(fetched, 'hello-from-web\n', 'client reached web over localhost');

        const url = await cri.exec({ containerId: client, cmd: ['true'], stdout: true });
        assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\//);
        // Without the SPDY upgrade the streaming server refuses, but it answers.
        const reached = await fetch(url).then((r) => r.status);
        assert.ok(reached >= 400 && reached < 500, `streaming server answered ${reached}`);

        const webStatus = (await cri.containerStatus(web)).status;
        assert.equal(webStatus?.state, 'CONTAINER_RUNNING');
        assert.ok((webStatus?.startedAt ?? 0n) > 0n);
        assert.equal(webStatus?.annotations['metassembly.io/container'], 'web');

        const stats = await cri.containerStats(web).catch((e: Error) => e);
        if (stats instanceof Error) {
          assert.ok(handler === 'runc' && runcShimCannotLoadCgroups(cd), stats.message);
        } else {
          const mem = stats?.memory;
          const workingSet = mem?.workingSetBytes?.value ?? 0n;
          assert.ok(workingSet > 0n, `memory ${JSON.stringify(mem, bigintJson)}`);
          const available = mem?.availableBytes?.value ?? 0n;
          assert.equal(workingSet + available, BigInt(containerMemoryLimit), 'available = limit - working set');
          assert.ok((stats?.cpu?.usageCoreNanoSeconds?.value ?? 0n) > 0n, `cpu ${JSON.stringify(stats?.cpu, bigintJson)}`);

          const pod = (await cri.podSandboxStats(podId))?.linux;
          const shown = JSON.stringify({ ...pod, containers: pod?.containers.length }, bigintJson);
          assert.equal(pod?.containers.map((c) => c.attributes?.metadata?.name).sort(), ['client', 'web'], shown);
          assert.ok((pod?.cpu?.usageCoreNanoSeconds?.value ?? 0n) > 0n, shown);
          assert.ok((pod?.memory?.workingSetBytes?.value ?? 0n) >= workingSet, shown);
          assert.equal(pod?.network?.defaultInterface?.name, 'eth0', shown);
          assert.ok((pod?.network?.defaultInterface?.rxBytes?.value ?? 0n) > 0n, shown);
          // The pause process and both containers' (pid namespaces are per container).
          assert.ok((pod?.process?.processCount?.value ?? 0n) >= 2n, shown);
        }

        await cri.updateContainerResources(client, { memoryLimitInBytes: 96 << 20, cpuShares: 512 });
        const limit = await cri.execSync(client, ['cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes'], 5);
        assert.equal(limit.stdout.toString().trim(), String(96 << 20), 'the new limit reached the cgroup');

        for (const id of [web, client]) await cri.stopContainer(id, 2);
        assert.equal((await cri.containerStatus(client)).status?.state, 'CONTAINER_EXITED');
        for (const id of [web, client]) await cri.removeContainer(id);
        await cri.stopPodSandbox(podId);
        await cri.removePodSandbox(podId);
        assert.equal(await cri.listContainers(), []);
        assert.equal(await cri.listPodSandbox(), []);
        if (handler === 'metassembly' && noCapSysResource) {
          assert.match(cd.log(), /process\.oomScoreAdj -998 raised to -?\d+/, 'the shim logged its clamp');
        }
      }));
    });
  }
}

function bigintJson(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

test.run();
