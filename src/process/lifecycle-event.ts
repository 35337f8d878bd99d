/**
 * What happened to a container, in domain terms. The task layer turns these into
 * containerd's /tasks/* events; the order in which they are emitted is decided
 * here in process/, never by the publisher.
 */
import type { StdioConfig } from '../io/process-io';
import type { Mount } from './mount';

export interface ExitInfo {
  pid: number;
  /** exit code, or 128 + signal */
  status: number;
  exitedAt: Date;
}

export type LifecycleEvent =
  | { type: 'create'; containerId: string; bundle: string; rootfs: Mount[]; stdio: StdioConfig; pid: number }
  | { type: 'start'; containerId: string; pid: number }
  | { type: 'exit'; containerId: string; id: string; exit: ExitInfo }
  | { type: 'delete'; containerId: string; exit: ExitInfo }
  | { type: 'exec-added'; containerId: string; execId: string }
  | { type: 'exec-started'; containerId: string; execId: string; pid: number }
  | { type: 'paused'; containerId: string }
  | { type: 'resumed'; containerId: string }
  | { type: 'oom'; containerId: string };

export type EmitLifecycleEvent = (event: LifecycleEvent) => void;
