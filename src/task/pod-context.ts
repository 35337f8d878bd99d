/**
 * What the hardening policy needs to know about a container's pod, found on the host:
 * which pod it belongs to, and which of the namespace paths it asks to join really are
 * its own pod's (compared by namespace inode, never by path text). The policy itself
 * (src/hardening) only compares the paths it is given.
 */
import { statSync } from 'node:fs';
import type { NamespaceType } from '../hardening/oci-spec';

export interface PodIdentity {
  /** the CRI sandbox id; a container started outside CRI (ctr) is its own pod */
  podId: string;
  /** the pod's sandbox (pause) container, or a container that is its own pod */
  isSandbox: boolean;
}

export function podOf(containerId: string, annotations: Record<string, string> | undefined): PodIdentity {
  const sandboxId = annotations?.['io.kubernetes.cri.sandbox-id'];
  if (!sandboxId) return { podId: containerId, isSandbox: true };
  return { podId: sandboxId, isSandbox: annotations?.['io.kubernetes.cri.container-type'] === 'sandbox' || sandboxId === containerId };
}

const nsFile: Record<NamespaceType, string> = {
  pid: 'pid',
  network: 'net',
  mount: 'mnt',
  ipc: 'ipc',
  uts: 'uts',
  user: 'user',
  cgroup: 'cgroup',
  time: 'time',
};

function inode(path: string): string | undefined {
  try {
    const st = statSync(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined;
  }
}

/**
 * The namespace paths in the spec that belong to the pod:
 * - an app container may join its sandbox's namespaces (CRI names the network one by its
 *   netns file and the others by /proc/<pause>/ns/*: the inode decides);
 * - a sandbox may be given a network namespace made for it (CNI's), never the host's.
 */
export function podNamespacePaths(
  namespaces: ReadonlyArray<{ type: string; path?: string }>,
  pod: PodIdentity,
  sandboxPid: number | undefined,
  procRoot = '/proc',
): Partial<Record<NamespaceType, string>> {
  const allowed: Partial<Record<NamespaceType, string>> = {};
  for (const ns of namespaces) {
    const type = ns.type as NamespaceType;
    if (!ns.path || !(type in nsFile)) continue;
    const wanted = inode(ns.path);
    if (wanted === undefined) continue;
    if (pod.isSandbox) {
      if (type === 'network' && wanted !== inode(`${procRoot}/self/ns/net`)) allowed.network = ns.path;
    } else if (sandboxPid !== undefined && wanted === inode(`${procRoot}/${sandboxPid}/ns/${nsFile[type]}`)) {
      allowed[type] = ns.path;
    }
  }
  return allowed;
}
