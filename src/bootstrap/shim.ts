/**
 * The composition root: the one place that builds the concrete implementations
 * (native sys, reaper, runc driver, pipes and FIFOs, cgroups, the ttrpc event
 * publisher) and hands them to the task service. `serve` uses it with the socket
 * containerd dials; the integration tests use it with their own.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cgroupManagerForPid, detectCgroupMode, partitionCgroups } from '../cgroups';
import { QueuedPublisher, TtrpcEventTransport } from '../events/publisher';
import { createProcessIO } from '../io/create-process-io';
import type { FifoLog } from '../log/log-sink';
import { ExitRouter } from '../process/exit-router';
import { RuncRuntime } from '../runtime/runc-runtime';
import { NamespaceJoinOrderProbe } from '../runtime/namespace-join-order';
import { fileVersionCache } from '../runtime/runtime-version-cache';
import { NativeSys } from '../sys/native-sys';
import { Reaper } from '../sys/reaper';
import { TtrpcServer } from '../ttrpc/server';
import { encodeForwardRequest } from '../wire/events';
import { toWireEvent } from '../task/lifecycle-events';
import { TaskService, runtimeRoot } from '../task/task-service';
import { taskMethods, taskServiceNames } from '../task/ttrpc-handlers';
import type { UserNamespaceRanges } from '../task/sandboxing';
import { appendAudit } from '../log/audit-log';
import { defaultCreateGraceMs, defaultStatePath, UsernsAllocator } from '../userns/allocator';
import { procHostProcesses } from '../userns/host-processes';
import { defaultPool } from '../userns/pool';
import { sweepIdmappedViews } from '../userns/view-sweep';
import { sweepStagedSysfs } from '../userns/sysfs-sweep';
import { podNetworkHost, podSysfsDir, removeStagedSysfs } from '../task/pod-network-host';
import { mountIdmappedRootfs } from '../userns/idmapped-rootfs';
import { removeIdmappedRootfs } from '../process/rootfs';
import { hardRlimits } from '../task/proc-limits';
import type { IdmapRequest } from '../process/ports';
import { mountOf, readMountinfo } from '../userns/mountinfo';
import { idmappedRootfsDir } from '../task/sandboxing';
import { MS, type Sys } from '../sys/sys';

export interface ShimOptions {
  namespace: string;
  /** containerd's ttrpc address, where events are forwarded */
  ttrpcAddress: string;
  /** bundles' log FIFOs are attached as their tasks are created and detached when deleted */
  log: Pick<FifoLog, 'write' | 'attach' | 'detach'>;
  /** where terminal processes' --console-socket files go */
  consoleDir: string;
  /** called once Shutdown found no task left, after the reply was written */
  onIdle(): void;
}

export interface Shim {
  server: TtrpcServer;
  service: TaskService;
  /** stops serving, flushes queued events (bounded), stops reaping */
  close(): Promise<void>;
}

export function createShim(options: ShimOptions): Shim {
  const { namespace, log } = options;
  const info = (message: string): void => log.write('info', message);
  const sys = new NativeSys();
  const reaper = new Reaper(sys);
  const exits = new ExitRouter();
  reaper.onExit((exit) => exits.deliver(exit));
  reaper.start();

  const publisher = new QueuedPublisher({
    namespace,
    log: info,
    transport: new TtrpcEventTransport(options.ttrpcAddress, encodeForwardRequest),
  });
  const cgroupMode = detectCgroupMode();
  const capSysResource = hasCapSysResource();
  const bundles = new Map<string, string>();
  // One allocator file for the whole host, whatever state_dir a partition uses: a range must
  // never go to two live pods of any partition. Pods are named within their partition; each
  // allocator is opened on first use (it checks /etc/subuid).
  const processes = procHostProcesses();
  const allocators = new Map<string, UserNamespaceRanges>();
  const ranges = (partition: string): UserNamespaceRanges => {
    let allocator = allocators.get(partition);
    if (allocator === undefined) {
      allocator = UsernsAllocator.open({
        sys,
        partition,
        processes,
        onCollected: (r) => info(`user-namespace range ${r.hostID} of pod ${r.owner.pod} (partition "${r.owner.partition}") collected: none of its processes lives`),
      });
      allocators.set(partition, allocator);
    }
    return allocator;
  };
  // What a shim killed outside teardown left mounted, whichever daemon it was; after the
  // daemon is up, so that containerd's start is not kept waiting.
  setImmediate(() => {
    try {
      const removed = sweepIdmappedViews({
        dir: idmappedRootfsDir,
        statePath: defaultStatePath,
        pool: defaultPool,
        processes,
        graceMs: defaultCreateGraceMs,
        remove: (target) => removeIdmappedRootfs(sys, target),
      });
      for (const path of removed) info(`stale idmapped rootfs view ${path} removed: no container uses it`);
    } catch (err) {
      info(`sweeping stale idmapped rootfs views failed: ${(err as Error).message}`);
    }
    try {
      const removed = sweepStagedSysfs({
        dir: podSysfsDir,
        statePath: defaultStatePath,
        processes,
        graceMs: defaultCreateGraceMs,
        remove: (target) => removeStagedSysfs(sys, target),
      });
      for (const path of removed) info(`stale pod sysfs ${path} removed: its pod's range has no live process`);
    } catch (err) {
      info(`sweeping stale pod sysfs mounts failed: ${(err as Error).message}`);
    }
  });
  const joinOrder = new NamespaceJoinOrderProbe(reaper, fileVersionCache());
  const podNetwork = podNetworkHost(sys);

  const service = new TaskService({
    namespace,
    runtimeFor: (config) =>
      new RuncRuntime({
        binary: config.runtime.binary,
        root: runtimeRoot(config, namespace),
        systemdCgroup: config.runtime.systemdCgroup,
        runner: reaper,
      }),
    containerDeps: {
      sys,
      exits,
      createIO: (stdio, owner) =>
        createProcessIO(stdio, {
          sys,
          runner: reaper,
          containerId: owner.containerId,
          namespace,
          consoleDir: join(options.consoleDir, namespace),
        }),
      idmapRootfs: (request) => idmapRootfs(sys, request),
      removeIdmappedRootfs: (target) => removeIdmappedRootfs(sys, target),
      idmapMount: (target, mapping) => mountIdmappedRootfs(sys, target, target, mapping),
      openCgroup: (pid) => cgroupManagerForPid(pid, { mode: cgroupMode, sys }).catch(() => undefined),
      emit: (event) => {
        if (event.type === 'create') {
          bundles.set(event.containerId, event.bundle);
          log.attach(join(event.bundle, 'log'));
        } else if (event.type === 'delete') {
          const bundle = bundles.get(event.containerId);
          bundles.delete(event.containerId);
          if (bundle) log.detach(join(bundle, 'log'));
        }
        const wire = toWireEvent(event);
        publisher.publish(wire.topic, wire.event);
      },
      log: info,
    },
    // after the Shutdown reply has been written
    onIdle: () => setImmediate(options.onIdle),
    oomScoreAdjFloor: capSysResource ? -1000 : oomScoreAdjFloor(),
    rlimitHard: hardRlimits(readFileSync('/proc/self/limits', 'utf8')),
    canRaiseRlimits: capSysResource,
    removePodCgroup: (path) => partitionCgroups(undefined, cgroupMode).remove(path, { force: false }),
    sandboxing: {
      ranges: (config) => ranges(config.partition?.name ?? 'default'),
      runtimeJoinsFirst: (binary) => joinOrder.joinsBeforeUserNamespace(binary),
      podNetwork,
      userNamespaceMappings: (path) => sys.userNamespaceMappings(path),
      audit: (config, records) => {
        for (const r of records) {
          const level = r.action === 'refused' || r.action === 'allowed-by-opt-in' ? 'warning' : 'debug';
          log.write(level, `hardening ${r.action}: ${r.what}: ${r.why}`, { container: r.container, pod: r.pod });
        }
        appendAudit(config.shim.stateDir, namespace, records);
      },
    },
    log: info,
  });
  const server = new TtrpcServer();
  for (const name of taskServiceNames) server.register(name, taskMethods(service));

  return {
    server,
    service,
    async close() {
      await server.close();
      await publisher.close(2000);
      reaper.stop();
    },
  };
}

const CAP_SYS_RESOURCE = 24n;

function hasCapSysResource(): boolean {
  const capEff = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0';
  return ((BigInt(`0x${capEff}`) >> CAP_SYS_RESOURCE) & 1n) === 1n;
}

/**
 * Without CAP_SYS_RESOURCE the kernel refuses oom_score_adj values below the process's
 * oom_score_adj_min, which /proc does not show: find it by trying (raising back to where
 * we started is always allowed), once per shim.
 */
function oomScoreAdjFloor(): number {
  const path = '/proc/self/oom_score_adj';
  const current = Number.parseInt(readFileSync(path, 'utf8'), 10);
  const allowed = (value: number): boolean => {
    try {
      writeFileSync(path, String(value));
      return true;
    } catch {
      return false;
    }
  };
  let low = -1000;
  let high = current;
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    if (allowed(mid)) high = mid;
    else low = mid + 1;
  }
  writeFileSync(path, String(current));
  return low;
}

/**
 * The pod's view of its rootfs at request.target, a path its unprivileged root can traverse.
 * A rootfs already on the pod's range is bound there as it is: idmapping it would shift it
 * twice. A snapshotter's overlay can only be idmapped in place (through its layers), and is
 * then bound to the target; a plain directory (ctr --rootfs) is cloned there idmapped.
 */
function idmapRootfs(sys: Sys, request: IdmapRequest): void {
  for (const dir of ['/run/metassembly', idmappedRootfsDir, dirname(request.target)]) {
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o711);
  }
  mkdirSync(request.target, { recursive: true, mode: 0o711 });
  if (request.alreadyShifted) {
    sys.mount(request.source, request.target, '', MS.BIND | MS.REC, '');
    return;
  }
  // one read of the mount table serves this decision and the idmapping's own checks
  const mounts = readMountinfo();
  const host = { mounts: () => mounts };
  const mount = mountOf(mounts, request.source);
  if (mount?.mountPoint === request.source && mount.fstype === 'overlay') {
    mountIdmappedRootfs(sys, request.source, request.source, request.mapping, host);
    sys.mount(request.source, request.target, '', MS.BIND, '');
  } else {
    mountIdmappedRootfs(sys, request.source, request.target, request.mapping, host);
  }
}
