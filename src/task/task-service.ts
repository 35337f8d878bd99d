/**
 * The Task service in domain terms: the registry of containers this shim serves and
 * what each RPC means for them. No wire types here; ttrpc-handlers.ts translates.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from '../errors';
import type { ShimConfig } from '../config/config';
import type { StdioConfig } from '../io/process-io';
import type { OciRuntime } from '../runtime/oci-runtime';
import { Container, type OciSpec, type ProcessSnapshot } from '../process/container';
import type { ExitInfo } from '../process/lifecycle-event';
import type { Mount } from '../process/mount';
import type { ContainerDeps } from '../process/ports';
import { adjustForHost, capRlimits } from './host-compat';
import type { PodIdentity } from './pod-context';
import { rangeOwner, sandboxExecProcess, sandboxSpec, type SandboxingDeps } from './sandboxing';
import { removeRuntimeRecord, writeRuntimeRecord } from './runtime-record';

export interface CreateTaskInput {
  id: string;
  bundle: string;
  rootfs: Mount[];
  stdio: StdioConfig;
  config: ShimConfig;
}

export interface TaskServiceDeps {
  namespace: string;
  /** the runtime for one container, from its configuration */
  runtimeFor(config: ShimConfig): OciRuntime;
  /** everything a container needs but its runtime */
  containerDeps: Omit<ContainerDeps, 'runtime'>;
  /** called after Shutdown when no container is left */
  onIdle(): void;
  /** lowest oom_score_adj this host lets a container ask for */
  oomScoreAdjFloor: number;
  /** the shim's own hard rlimits, by RLIMIT_* name, and whether it may raise them */
  rlimitHard: Record<string, number>;
  canRaiseRlimits: boolean;
  sandboxing: SandboxingDeps;
  /** removes a partition's pod cgroup once its last container is gone (runc removes only its own) */
  removePodCgroup(path: string): Promise<void>;
  log(message: string): void;
}

/** What the service remembers of a container beyond the process layer. */
interface Served {
  container: Container;
  config: ShimConfig;
  pod: PodIdentity;
  inUserNamespace: boolean;
}

export class TaskService {
  private readonly served = new Map<string, Served>();
  /** ids whose Create is in flight, so a concurrent duplicate is refused */
  private readonly creating = new Set<string>();

  constructor(private readonly deps: TaskServiceDeps) {}

  get size(): number {
    return this.served.size;
  }

  async create(input: CreateTaskInput): Promise<number> {
    const { id, bundle } = input;
    if (this.served.has(id) || this.creating.has(id)) throw new AlreadyExistsError(`container ${id}: already exists`);
    this.creating.add(id);
    try {
      const runtime = this.deps.runtimeFor(input.config);
      const sandboxed = await sandboxSpec(this.deps.sandboxing, {
        namespace: this.deps.namespace,
        id,
        bundle,
        requested: await readSpec(bundle),
        config: input.config,
        sandboxPid: (podId) => this.served.get(podId)?.container.init.pid,
        sandboxInUserNamespace: (podId) => this.served.get(podId)?.inUserNamespace ?? false,
      });
      const { spec, changes } = adjustForHost(sandboxed.spec, {
        oomScoreAdjFloor: this.deps.oomScoreAdjFloor,
        rlimitHard: this.deps.rlimitHard,
        canRaiseRlimits: this.deps.canRaiseRlimits,
        runtimeSpecVersion: await runtime.enforcedSpecVersion(),
      });
      for (const change of changes) this.deps.log(`container ${id}: ${change}`);
      // what the runtime runs is what is in the bundle
      await writeSpec(bundle, spec);
      writeRuntimeRecord(bundle, {
        binary: runtime.binary,
        root: runtimeRoot(input.config, this.deps.namespace),
        systemdCgroup: input.config.runtime.systemdCgroup,
        idmappedRootfs: sandboxed.idmap?.target,
      });
      let container: Container;
      try {
        container = await Container.create({ ...this.deps.containerDeps, runtime }, {
          id,
          bundle,
          rootfs: input.rootfs,
          stdio: input.stdio,
          spec,
          idmap: sandboxed.idmap,
        });
      } catch (err) {
        removeRuntimeRecord(bundle);
        if (sandboxed.pod.isSandbox) await this.releasePod(input.config, sandboxed.pod.podId);
        throw err;
      }
      if (sandboxed.range) {
        try {
          await this.deps.sandboxing.ranges(input.config).hold(sandboxed.range.pod, sandboxed.range.container, container.init.pid);
        } catch (err) {
          // Not running on ids that may be another pod's: the never-started init goes.
          await container.delete('').catch(() => undefined);
          removeRuntimeRecord(bundle);
          if (sandboxed.pod.isSandbox) await this.releasePod(input.config, sandboxed.pod.podId);
          throw err;
        }
      }
      this.served.set(id, { container, config: input.config, pod: sandboxed.pod, inUserNamespace: sandboxed.idmap !== undefined });
      return container.init.pid;
    } finally {
      this.creating.delete(id);
    }
  }

  container(id: string): Container {
    const served = this.served.get(id);
    if (!served) throw new NotFoundError(`container ${id} not created`);
    return served.container;
  }

  start(id: string, execId: string): Promise<number> {
    return this.container(id).start(execId);
  }

  state(id: string, execId: string): ProcessSnapshot {
    return this.container(id).snapshot(execId);
  }

  async delete(id: string, execId: string): Promise<ExitInfo> {
    const container = this.container(id);
    const exit = await container.delete(execId);
    if (!execId) {
      const served = this.served.get(id);
      this.served.delete(id);
      removeRuntimeRecord(container.bundle);
      if (served?.pod.isSandbox) {
        await this.releasePod(served.config, served.pod.podId);
        const partition = served.config.partition;
        if (partition) await this.removePodCgroup(`${partition.cgroupParent}/${served.pod.podId}`);
      }
    }
    return exit;
  }

  exec(id: string, execId: string, processSpec: object, stdio: StdioConfig): void {
    const served = this.served.get(id);
    if (!served) throw new NotFoundError(`container ${id} not created`);
    const hardened = sandboxExecProcess(this.deps.sandboxing, served.config, id, served.pod.podId, execId, processSpec);
    const changes: string[] = [];
    const process = capRlimits(hardened as { [key: string]: unknown }, this.deps, served.inUserNamespace, changes);
    for (const change of changes) this.deps.log(`container ${id} exec ${execId}: ${change}`);
    served.container.addExec(execId, process, stdio);
  }

  /** Best effort: a pod cgroup that still holds processes stays, and the log says why. */
  private async removePodCgroup(path: string): Promise<void> {
    try {
      await this.deps.removePodCgroup(path);
    } catch (err) {
      this.deps.log(`pod cgroup ${path} left in place: ${(err as Error).message}`);
    }
  }

  /** What the host keeps for a pod goes with its sandbox: its staged sysfs (a failure is logged), then its range. */
  private async releasePod(config: ShimConfig, podId: string): Promise<void> {
    try {
      this.deps.sandboxing.podNetwork?.release(this.deps.namespace, podId);
    } catch (err) {
      this.deps.log(`pod ${podId}: removing its staged sysfs failed: ${(err as Error).message}`);
    }
    await this.releaseRange(config, podId);
  }

  /** A pod's user-namespace range goes back to the pool with its sandbox; a failure only costs ids. */
  private async releaseRange(config: ShimConfig, podId: string): Promise<void> {
    if (!config.hardening.requireUserNamespace) return;
    try {
      await this.deps.sandboxing.ranges(config).release(rangeOwner(this.deps.namespace, podId));
    } catch (err) {
      this.deps.log(`pod ${podId}: releasing its user-namespace range failed: ${(err as Error).message}`);
    }
  }

  kill(id: string, execId: string, signal: number, all: boolean): Promise<void> {
    return this.container(id).kill(execId, signal, all);
  }

  wait(id: string, execId: string): Promise<ExitInfo> {
    return this.container(id).process(execId).wait();
  }

  /** pid of the task's init, 0 when this shim does not know the id (containerd's liveness probe). */
  connect(id: string): number {
    return this.served.get(id)?.container.init.pid ?? 0;
  }

  shutdown(): void {
    if (this.served.size === 0) this.deps.onIdle();
  }
}

/** The OCI runtime's --root for a namespace. */
export function runtimeRoot(config: ShimConfig, namespace: string): string {
  return join(config.runtime.root, namespace);
}

async function readSpec(bundle: string): Promise<OciSpec> {
  const path = join(bundle, 'config.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InvalidArgumentError(`invalid bundle ${bundle}: ${(err as Error).message}`);
  }
  let spec: unknown;
  try {
    spec = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`invalid bundle ${bundle}: config.json is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new InvalidArgumentError(`invalid bundle ${bundle}: config.json is not a JSON object`);
  }
  return spec as OciSpec;
}

async function writeSpec(bundle: string, spec: OciSpec): Promise<void> {
  const tmp = join(bundle, '.config.json.tmp');
  await writeFile(tmp, JSON.stringify(spec));
  await rename(tmp, join(bundle, 'config.json'));
}
