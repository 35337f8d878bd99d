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

export interface ContainerDeps {
  runtime: OciRuntime;
  sys: Sys;
  exits: ExitRouter;
  createIO(config: StdioConfig, owner: { containerId: string; execId: string }): Promise<ProcessIO>;
  /** undefined when the pid's cgroup cannot be found (stats then answer NotFound) */
  openCgroup(pid: number): Promise<ContainerCgroup | undefined>;
  emit: EmitLifecycleEvent;
  log(message: string): void;
}
