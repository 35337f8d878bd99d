/**
 * CPU a pod costs the node beyond its containers, handler `metassembly` beside `runc` on one
 * private containerd with CRI: the figure behind RuntimeClass overhead.podFixed.cpu
 * (deploy/kubernetes/runtimeclass.yaml). As root, from the repository root, after a build:
 *
 *   npx tsc -p tsconfig.json && npx tsc -p bench/tsconfig.json && node build/bench/bench/pod-overhead.js
 *
 * Not part of `npm run bench` (it takes minutes of idle time). Knobs: POD_OVERHEAD_SERIES
 * (containerd series, default 2.x), POD_OVERHEAD_PODS (lifecycles per handler, default 6),
 * POD_OVERHEAD_IDLE_PODS (pods held idle, default 4), POD_OVERHEAD_IDLE_S (default 60).
 *
 * Per handler it reports, as CPU time (user + system):
 * - lifecycle: one pod as kubelet drives it (RunPodSandbox, two containers created and
 *   started, then stopped and removed): the shim daemons' utime+stime from /proc/<pid>/stat,
 *   polled while they live; containerd's own growth; and everything containerd's cgroup
 *   accrued (containerd, every shim invocation such as `start` and `delete`, the daemons, the
 *   runc and CNI runs beneath them), from a cpuacct cgroup containerd is moved into;
 * - idle: the same three over POD_OVERHEAD_IDLE_S with pods running `sleep`, per pod and per
 *   second, i.e. in millicores, while stats are asked for every 10 s as kubelet's CRI stats
 *   provider does (PodSandboxStats, ContainerStats: each reaches the shim's Stats).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CriClient } from '../tools/cri';
import { availableVersions, makeScratchDir, removeScratchDir, startContainerd, type Containerd, type ContainerdSeries } from '../test/e2e/harness';
import { hostUsernsOptInConfig, renderCriConfig } from '../test/e2e/cri/cri-config';
import { images, importImages } from '../test/e2e/cri/cri-images';
import { containerConfig, podConfig, removePodCgroup } from '../test/e2e/cri/pod-fixtures';
import { canLowerOomScoreAdj } from '../test/e2e/cri/host-caps';
import { createPodNetwork } from '../test/e2e/cri/pod-network';
import { shimDir } from '../test/e2e/support/shim-under-test';
import { containerdPid, shimPids } from './process-memory';
import { removeAllPods } from '../test/e2e/cri/cri-failure';

type Handler = 'runc' | 'metassembly';
const handlers: readonly Handler[] = ['runc', 'metassembly'];

const num = (name: string, dflt: number): number => Number(process.env[name] ?? dflt);
const settings = {
  series: (process.env.POD_OVERHEAD_SERIES ?? '2.x') as ContainerdSeries,
  pods: num('POD_OVERHEAD_PODS', 6),
  idlePods: num('POD_OVERHEAD_IDLE_PODS', 4),
  idleSeconds: num('POD_OVERHEAD_IDLE_S', 60),
};
const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
const cgroupTag = `mtbench${process.pid}`;
/** The pods' cgroup parent: beside the accounting cgroup, so the containers' own CPU stays out of it. */
const podParent = `${cgroupTag}-pods`;

/** utime + stime of a process, in ms; undefined once it is gone. */
function cpuMs(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // fields after the command name: state is 3rd overall, utime 14th, stime 15th
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

/** A cpuacct cgroup (v1) or cpu controller cgroup (v2) that containerd and all it starts run in. */
function accountingCgroup(): { dir: string; usageMs(): number } {
  const v2 = existsSync('/sys/fs/cgroup/cgroup.controllers');
  const dir = v2 ? `/sys/fs/cgroup/${cgroupTag}` : `/sys/fs/cgroup/cpuacct/${cgroupTag}`;
  mkdirSync(dir);
  const usageMs = v2
    ? () => Number(/^usage_usec (\d+)$/m.exec(readFileSync(join(dir, 'cpu.stat'), 'utf8'))![1]) / 1000
    : () => Number(readFileSync(join(dir, 'cpuacct.usage'), 'utf8')) / 1e6;
  return { dir, usageMs };
}

/** The shim daemons' CPU, polled: each pid's last reading before it exits counts. */
function shimPoller(cd: Containerd, intervalMs = 50): { totalMs(): number; stop(): void } {
  const last = new Map<number, number>();
  const poll = (): void => {
    for (const pid of shimPids(cd.address, podParent)) {
      const ms = cpuMs(pid);
      if (ms !== undefined) last.set(pid, ms);
    }
  };
  poll();
  const timer = setInterval(poll, intervalMs);
  return {
    totalMs: () => {
      poll();
      return [...last.values()].reduce((a, b) => a + b, 0);
    },
    stop: () => clearInterval(timer),
  };
}

interface Figures {
  shimMs: number;
  containerdMs: number;
  cgroupMs: number;
}

async function runPod(cri: CriClient, dir: string, handler: Handler, name: string): Promise<{ podId: string; containers: string[] }> {
  const pod = podConfig({ name, logDirectory: join(dir, 'logs', name), cgroupParent: `/${podParent}/${name}` });
  const podId = await cri.runPodSandbox(pod, handler);
  const containers: string[] = [];
  for (const c of ['web', 'client']) {
    const id = await cri.createContainer(podId, containerConfig(c, 'exec sleep 3600'), pod);
    await cri.startContainer(id);
    containers.push(id);
  }
  return { podId, containers };
}

async function removePod(cri: CriClient, p: { podId: string; containers: string[] }, name: string): Promise<void> {
  for (const id of p.containers) await cri.stopContainer(id, 2);
  for (const id of p.containers) await cri.removeContainer(id);
  await cri.stopPodSandbox(p.podId);
  await cri.removePodSandbox(p.podId);
  removePodCgroup(`/${podParent}/${name}`);
}

async function waitNoShims(cd: Containerd): Promise<void> {
  for (let i = 0; i < 200 && shimPids(cd.address, podParent).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
}

async function lifecycle(cd: Containerd, cri: CriClient, dir: string, handler: Handler, i: number, acct: { usageMs(): number }, containerd: number): Promise<Figures> {
  const name = `${handler}-life-${i}`;
  const c0 = cpuMs(containerd)!;
  const g0 = acct.usageMs();
  const shims = shimPoller(cd);
  try {
    await removePod(cri, await runPod(cri, dir, handler, name), name);
    await waitNoShims(cd);
    return { shimMs: shims.totalMs(), containerdMs: cpuMs(containerd)! - c0, cgroupMs: acct.usageMs() - g0 };
  } finally {
    // a failed pod must not leave the poll running: it would keep the process alive
    shims.stop();
  }
}

async function idle(cd: Containerd, cri: CriClient, dir: string, handler: Handler, acct: { usageMs(): number }, containerd: number): Promise<Figures> {
  const pods = [];
  for (let i = 0; i < settings.idlePods; i++) pods.push({ name: `${handler}-idle-${i}`, pod: await runPod(cri, dir, handler, `${handler}-idle-${i}`) });
  await new Promise((r) => setTimeout(r, 5_000)); // let start-up work settle
  const shimTotal = (): number => shimPids(cd.address, podParent).reduce((sum, pid) => sum + (cpuMs(pid) ?? 0), 0);
  const [s0, c0, g0] = [shimTotal(), cpuMs(containerd)!, acct.usageMs()];
  const deadline = Date.now() + settings.idleSeconds * 1000;
  while (Date.now() < deadline) {
    for (const { pod } of pods) {
      // a refused stats call still cost what it cost; it is counted, not fatal
      await cri.podSandboxStats(pod.podId).catch(() => statsErrors[handler]++);
      for (const id of pod.containers) await cri.containerStats(id).catch(() => statsErrors[handler]++);
    }
    await new Promise((r) => setTimeout(r, Math.min(10_000, Math.max(0, deadline - Date.now()))));
  }
  const [s1, c1, g1] = [shimTotal(), cpuMs(containerd)!, acct.usageMs()];
  for (const p of pods) await removePod(cri, p.pod, p.name);
  await waitNoShims(cd);
  // ms of CPU per second per pod = millicores
  const per = (d: number): number => d / settings.idleSeconds / settings.idlePods;
  return { shimMs: per(s1 - s0), containerdMs: per(c1 - c0), cgroupMs: per(g1 - g0) };
}

const statsErrors: Record<Handler, number> = { runc: 0, metassembly: 0 };

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const medians = (fs: Figures[]): Figures => ({
  shimMs: median(fs.map((f) => f.shimMs)),
  containerdMs: median(fs.map((f) => f.containerdMs)),
  cgroupMs: median(fs.map((f) => f.cgroupMs)),
});

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('pod-overhead: must run as root (containerd with CRI, pods)');
  const version = availableVersions().find((v) => v.series === settings.series);
  if (!version) throw new Error(`pod-overhead: containerd ${settings.series} is not under .cache (scripts/setup.sh)`);
  const dir = makeScratchDir();
  const net = createPodNetwork(dir, `po${process.pid}`);
  const acct = accountingCgroup();
  let cd: Containerd | undefined;
  let cri: CriClient | undefined;
  try {
    cd = await startContainerd({
      version: version.series,
      shimDir,
      cri: true,
      extraConfig: renderCriConfig(version.series, {
        sandboxImage: images.pause,
        cniBinDir: net.binDir,
        cniConfDir: net.confDir,
        // runc cannot give the pause container -998 without CAP_SYS_RESOURCE; the clamp is CRI-wide
        restrictOomScoreAdj: !canLowerOomScoreAdj(),
        // Both handlers on the same Debian runc 1.1, like for like: with it a default pod needs
        // the opt-in to the host's user namespace (a node would run runc >= 1.2 instead).
        metassemblyConfigPath: hostUsernsOptInConfig(dir),
      }),
    });
    const containerd = containerdPid(cd.configPath);
    if (containerd === undefined) throw new Error('pod-overhead: containerd pid not found');
    // everything containerd starts from now on (shims, runc, CNI) inherits this cgroup
    writeFileSync(join(acct.dir, 'cgroup.procs'), String(containerd));
    await importImages(cd);
    cri = new CriClient(cd.address);

    // one unmeasured pod each: images and caches warm, for neither side alone
    for (const h of handlers) await lifecycle(cd, cri, dir, h, 0, acct, containerd);
    const life: Record<Handler, Figures[]> = { runc: [], metassembly: [] };
    for (let i = 1; i <= settings.pods; i++) {
      // taking turns, so neither side always runs on a warmer machine
      for (const h of i % 2 ? handlers : [...handlers].reverse()) life[h].push(await lifecycle(cd, cri, dir, h, i, acct, containerd));
    }
    const idleFigures: Partial<Record<Handler, Figures>> = {};
    for (const h of handlers) idleFigures[h] = await idle(cd, cri, dir, h, acct, containerd);

    const f = (n: number): string => n.toFixed(1);
    console.log(`\ncontainerd ${version.version}, ${settings.pods} pod lifecycles per handler (2 containers each), ${settings.idlePods} pods idle for ${settings.idleSeconds} s`);
    console.log(`\n| handler | lifecycle: shim daemons ms | containerd ms | containerd's cgroup ms | idle: shim daemons m | containerd m | containerd's cgroup m |`);
    console.log(`|---|---|---|---|---|---|---|`);
    for (const h of handlers) {
      const l = medians(life[h]);
      const i = idleFigures[h]!;
      console.log(`| ${h} | ${f(l.shimMs)} | ${f(l.containerdMs)} | ${f(l.cgroupMs)} | ${i.shimMs.toFixed(3)} | ${i.containerdMs.toFixed(3)} | ${i.cgroupMs.toFixed(3)} |`);
    }
    console.log('\nlifecycle: median CPU ms per pod; idle: millicores per pod (CPU ms per second).');
    for (const h of handlers) if (statsErrors[h]) console.log(`${h}: ${statsErrors[h]} stats calls refused during idle`);
  } catch (err) {
    // leave no pod behind: containerd's shims outlive it
    await removeAllPods(cri);
    throw err;
  } finally {
    cri?.close();
    await cd?.stop();
    net.remove();
    removeScratchDir(dir);
    try {
      rmdirSync(acct.dir);
    } catch (err) {
      console.error(`pod-overhead: could not remove ${acct.dir}: ${(err as Error).message}`);
    }
    for (const name of [...handlers.flatMap((h) => Array.from({ length: settings.idlePods }, (_, i) => `${h}-idle-${i}`))]) removePodCgroup(`/${podParent}/${name}`);
    removePodCgroup(`/${podParent}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
