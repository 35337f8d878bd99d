import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CriClient, type RuntimeHandler } from '../../../tools/cri';
import { availableVersions, makeScratchDir, removeScratchDir, repoRoot, startContainerd, testNamespace, type ContainerdVersion } from '../harness';
import { listEntries } from '../harness/host-state';
import { idmappedRootfsDir } from '../../../src/task/sandboxing';
import { hostConfigEnv } from '../../../src/task/runtime-options';
import { Any, RuncOptions } from '../../../src/wire/options';
import { RuntimeInfo } from '../../../src/wire/introspection';
import { RUNC_OPTIONS_TYPE_URL } from '../../../src/wire/type-urls';
import { shimDir } from '../support/shim-under-test';
import { renderCriConfig } from './cri-config';
import { images, importImages } from './cri-images';
import { containerConfig, podConfig, removePodCgroup } from './pod-fixtures';
import { criLeakCheck, criNamespace } from './cri-leak-check';
import { createPodNetwork } from './pod-network';
import { criLog, removeAllPods } from './cri-failure';

// deploy/containerd/config-v3-runc-type.toml on containerd 2.x: handler `metassembly` declared
// as runtime_type io.containerd.runc.v2 with runtime_path = our shim. CRI then introspects its
// features (`<runtime_path> -info` with runc's Options), so Status reports them, and every pod and
// container still runs through our shim, whose config comes from METASSEMBLY_CONFIG (runc's
// Options cannot name a file).

const shimBinary = 'containerd-shim-metassembly-v2';
const deployedShim = '/opt/metassembly/bin/containerd-shim-metassembly-v2';
const runtimeTable = `plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes`;

/** The snippet's tables with runtime_path pointing at this test's shim. */
function snippetTables(shim: string): string {
  const text = readFileSync(join(repoRoot, 'deploy/containerd/config-v3-runc-type.toml'), 'utf8');
  const tables = text.slice(text.search(/^\[/m));
  assert.ok(tables.includes(deployedShim));
  return tables.replace(deployedShim, shim);
}

/** The harness's CRI config without its own `metassembly` table, which the snippet replaces. */
function criConfigWithoutMetassembly(v: ContainerdVersion, binDir: string, confDir: string): string {
  const full = renderCriConfig(v.series, { sandboxImage: images.pause, cniBinDir: binDir, cniConfDir: confDir });
  const ours = `[${runtimeTable}.metassembly]\n  runtime_type = "io.containerd.metassembly.v2"\n`;
  assert.ok(full.includes(ours), full);
  return full.replace(ours, '');
}

/** What CRI makes of `-info`'s OCI features (internal/cri/server/service.go, introspectRuntimeHandlers). */
function criFeaturesOf(info: Uint8Array, kernelSupportsRro: boolean): RuntimeHandler['features'] {
  const features = RuntimeInfo.decode(info).features;
  assert.ok(features?.value, '-info carries the OCI runtime features');
  const oci = JSON.parse(Buffer.from(features.value).toString('utf8')) as {
    mountOptions?: string[];
    linux?: { namespaces?: string[]; mountExtensions?: { idmap?: { enabled?: boolean } } };
  };
  return {
    recursiveReadOnlyMounts: (oci.mountOptions ?? []).includes('rro') && kernelSupportsRro,
    userNamespaces: (oci.linux?.namespaces ?? []).includes('user') && oci.linux?.mountExtensions?.idmap?.enabled === true,
  };
}

const v2x = availableVersions().find((v) => v.series === '2.x');
// Bookworm's runc 1.1 has no idmapped mounts, so CRI would say userNamespaces: false; sid's
// (scripts/fetch-runc.sh) has them: with it the handler reports both features.
const sidRunc = join(repoRoot, '.cache/runc/sid/usr/sbin/runc');
const ociRuntime = existsSync(sidRunc) ? sidRunc : 'runc';

if (!v2x) {
  console.log('cri-runc-type: containerd 2.x not available, skipped (1.6/1.7 never introspect features)');
} else {
  test(`containerd ${v2x.version}, handler metassembly as runtime_type runc.v2: features reported, pod runs on our shim, nothing left`, async () => {
    const dir = makeScratchDir();
    const net = createPodNetwork(dir, `mr${process.pid}`);
    const wrapperDir = join(dir, 'shim-wrapper');
    const wrapper = join(wrapperDir, shimBinary);
    const invocationLog = join(dir, 'shim-invocations.log');
    mkdirSync(wrapperDir);
    writeFileSync(wrapper, `#!/bin/sh\necho "$*" >> ${invocationLog}\nexec ${join(shimDir, shimBinary)} "$@"\n`);
    chmodSync(wrapper, 0o755);
    // state_dir is this run's: the audit log there shows the config reached the shim
    const stateDir = join(dir, 'shim-state');
    const shimConfig = join(dir, 'metassembly.toml');
    // without sid's runc, bookworm's runc 1.1 needs the operator's opt-in for default pods (see cri-config.ts)
    const optIn = ociRuntime === 'runc' ? '[hardening]\nallow_host_user_namespace = true\n' : '';
    writeFileSync(shimConfig, `[runtime]\nbinary = ${JSON.stringify(ociRuntime)}\n[shim]\nstate_dir = ${JSON.stringify(stateDir)}\n${optIn}`);
    const invocations = (): string[] =>
      existsSync(invocationLog) ? readFileSync(invocationLog, 'utf8').trim().split('\n').map((l) => l.split(' ').at(-1)!) : [];

    const cgroupParent = `/${testNamespace}/pod-runc-type`;
    const check = criLeakCheck();
    const rootfsViewsBefore = new Set(listEntries(join(idmappedRootfsDir, criNamespace)));
    let cri: CriClient | undefined;
    let cd: Awaited<ReturnType<typeof startContainerd>> | undefined;
    let leaks: string[];
    try {
      cd = await startContainerd({
        version: v2x.series,
        cri: true,
        env: { [hostConfigEnv]: shimConfig },
        extraConfig: [criConfigWithoutMetassembly(v2x, net.binDir, net.confDir), snippetTables(wrapper)].join('\n'),
      });
      await importImages(cd);
      cri = new CriClient(cd.address);

      // Status: CRI ran our -info at startup, and reports what it said, as it does for runc
      assert.ok(invocations().includes('-info'), invocations().join(','));
      const handlers = (await cri.status()).runtimeHandlers;
      const ours = handlers.find((h) => h.name === 'metassembly');
      const runc = handlers.find((h) => h.name === 'runc');
      assert.ok(ours?.features, `metassembly has features: ${JSON.stringify(handlers)}`);
      assert.ok(runc?.features, JSON.stringify(handlers));
      const runcOptions = Any.encode({ typeUrl: RUNC_OPTIONS_TYPE_URL, value: RuncOptions.encode({}).finish() }).finish();
      const info = execFileSync(join(shimDir, shimBinary), ['-info'], { input: runcOptions, env: { ...process.env, [hostConfigEnv]: shimConfig } });
      assert.equal(ours.features, criFeaturesOf(info, runc.features.recursiveReadOnlyMounts));
      if (ociRuntime === 'runc') assert.equal(ours.features, runc.features, 'the same runc, the same features as runc\'s shim reports');
      else assert.equal(ours.features, { recursiveReadOnlyMounts: runc.features.recursiveReadOnlyMounts, userNamespaces: true });
      console.log(`handler metassembly on ${ociRuntime}: ${JSON.stringify(ours.features)}; handler runc: ${JSON.stringify(runc.features)}`);

      // a pod of two containers, as kubelet starts it
      const pod = podConfig({ name: 'runc-type', logDirectory: join(dir, 'pod-logs'), cgroupParent });
      const podId = await cri.runPodSandbox(pod, 'metassembly');
      const containers: string[] = [];
      for (const name of ['web', 'client']) {
        const id = await cri.createContainer(podId, containerConfig(name, 'exec sleep 3600'), pod);
        await cri.startContainer(id);
        containers.push(id);
      }
      for (const id of containers) {
        const status = await cri.containerStatus(id, true);
        assert.is(status.status?.state, 'CONTAINER_RUNNING');
        // the container's parent (its subreaper) is our shim daemon, not containerd-shim-runc-v2
        const pid = (JSON.parse(status.info.info ?? '{}') as { pid?: number }).pid;
        assert.ok(pid, status.info.info);
        const ppid = Number(/^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
        const cmdline = readFileSync(`/proc/${ppid}/cmdline`, 'utf8').split('\0');
        assert.ok(cmdline.some((a) => a.endsWith('launcher.js')) && cmdline.includes('serve'), cmdline.join(' '));
        // containerd recorded our executable for restarts and dead-shim cleanup
        assert.is(readFileSync(join(cd.state, 'io.containerd.runtime.v2.task', criNamespace, id, 'shim-binary-path'), 'utf8'), wrapper);
      }
      assert.ok(invocations().includes('start'), invocations().join(','));
      const exec = await cri.execSync(containers[1], ['sh', '-c', 'echo out; exit 3'], 10);
      assert.equal([exec.stdout.toString(), exec.exitCode], ['out\n', 3]);
      // the hardening ran with the config METASSEMBLY_CONFIG named: its audit is in that state_dir
      const audit = readFileSync(join(stateDir, 'audit', `${criNamespace}.jsonl`), 'utf8');
      for (const id of containers) assert.ok(audit.includes(`"container":"${id}"`), `${id} audited`);

      for (const id of containers) await cri.stopContainer(id, 2);
      for (const id of containers) await cri.removeContainer(id);
      await cri.stopPodSandbox(podId);
      await cri.removePodSandbox(podId);
      assert.equal(await cri.listContainers(), []);
      assert.equal(await cri.listPodSandbox(), []);
    } catch (err) {
      await removeAllPods(cri);
      if (cd) console.error(`--- containerd ${v2x.version}: errors and our shim's lines ---\n${criLog(cd)}`);
      throw err;
    } finally {
      cri?.close();
      await cd?.stop();
      removePodCgroup(cgroupParent);
      net.remove();
      removeScratchDir(dir);
      leaks = await check.settledLeaks();
      await check.cleanup();
    }
    assert.equal(leaks, [], 'nothing of the pod is left on the host');
    const views = listEntries(join(idmappedRootfsDir, criNamespace)).filter((e) => !rootfsViewsBefore.has(e));
    assert.equal(views, [], 'no idmapped rootfs view left');
  });
}

test.run();
