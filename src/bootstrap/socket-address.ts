/**
 * Where a shim group's socket lives. Like containerd's runc shim we use
 * /run/containerd/s/<sha256> (that directory is what containerd expects shims to use,
 * whatever its --state), hashing in our own name so a runc-v2 shim for the same
 * group can never collide with ours. Pure.
 */
import type { TaskApi } from '../config/config';
import { sha256Hex } from './sha256';

export const socketDir = '/run/containerd/s';

export function socketPath(containerdAddress: string, namespace: string, group: string): string {
  return `${socketDir}/${sha256Hex(`metassembly/${containerdAddress}/${namespace}/${group}`)}`;
}

/**
 * The group a task belongs to: explicit annotation, then its node partition (one shim per
 * partition), then the pod (CRI sandbox id), then itself.
 */
export function groupId(
  taskId: string,
  annotations: Record<string, string> | undefined,
  grouping: 'pod' | 'container' | 'partition',
  partition?: string,
): string {
  const explicit = annotations?.['io.containerd.metassembly.v2.group'];
  if (explicit) return explicit;
  if (grouping === 'partition' && partition) return `partition/${partition}`;
  if (grouping === 'pod') {
    const sandbox = annotations?.['io.kubernetes.cri.sandbox-id'];
    if (sandbox) return sandbox;
  }
  return taskId;
}

/**
 * What `start` prints for a socket. v2: the plain address, which every containerd reads as
 * Task API v2 over ttrpc. v3: the bootstrap JSON that makes containerd 2.x use
 * containerd.task.v3.Task and reuse this shim for the pod's app containers (see TaskApi).
 */
export function startReply(path: string, taskApi: TaskApi): string {
  const address = `unix://${path}`;
  if (taskApi === 'v2') return address;
  return JSON.stringify({ version: 3, address, protocol: 'ttrpc' });
}
