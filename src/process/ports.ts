/**
 * What a container needs from the layers below it. The bootstrap wires the real
 * implementations; unit tests pass fakes.
 */
import type { FdWatch, Sys } from '../sys/sys';
import type { OciRuntime } from '../runtime/oci-runtime';
import type { ProcessIO, StdioConfig } from '../io/process-io';
import type { EmitLifecycleEvent } from './lifecycle-event';
import type { ExitRouter } from './exit-router';

/** The container's cgroup, as far as the process layer uses it (cgroups/ implements it for v1 and v2). */
export interface ContainerCgroup {
  /** Metrics ready to be packed into an Any of `typeUrl`. */
  stats(): Promise<{ typeUrl: string; metrics: object }>;
  pids(): Promise<number[]>;
  watchOom(onOom: () => void): Promise<FdWatch>;
}

/**
 * The view of `source` mounted at `target` (root.path) for a container in a user namespace
 * on `mapping`, at a path the pod's unprivileged root can traverse: idmapped through the
 * mapping, or a plain recursive bind when the files are already owned by the mapping's host
 * ids (a snapshot containerd shifted for the mappings the spec came with).
 */
export interface IdmapRequest {
  source: string;
  target: string;
  mapping: {
    uidMappings: Array<{ containerID: number; hostID: number; size: number }>;
    gidMappings: Array<{ containerID: number; hostID: number; size: number }>;
  };
  /** source is already on the mapping's host ids: idmapping it would shift it twice */
  alreadyShifted: boolean;
}

export interface ContainerDeps {
  runtime: OciRuntime;
  sys: Sys;
  exits: ExitRouter;
  createIO(config: StdioConfig, owner: { containerId: string; execId: string }): Promise<ProcessIO>;
  /** undefined when the pid's cgroup cannot be found (stats then answer NotFound) */
  openCgroup(pid: number): Promise<ContainerCgroup | undefined>;
  /** mounts the view of request.source on request.target (creating it) */
  idmapRootfs(request: IdmapRequest): void;
  /** unmounts and removes request.target; idempotent */
  removeIdmappedRootfs(target: string): void;
  /**
   * Idmaps the mount at target in place through mapping: an overlay is remounted on idmapped
   * clones of its lower layers, anything else gets an idmapped clone stacked on it. Taking
   * target's mounts down takes it all down.
   */
  idmapMount(target: string, mapping: IdmapRequest['mapping']): void;
  emit: EmitLifecycleEvent;
  log(message: string): void;
}
