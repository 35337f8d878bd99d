/**
 * A pod's network namespace from the host's side, for pods whose containers run in the pod's
 * user namespace while their network namespace is the host's user namespace's (CRI's CNI
 * network namespace; hardening/host-side-network.ts says what the spec becomes):
 *
 * - a sysfs of that network namespace, staged at <dir>/<namespace>/<pod>/sys for each of the
 *   pod's containers to bind as its /sys. It holds a reference to the network namespace, so
 *   it goes with the pod's sandbox (release), or, when a shim was killed, with the next
 *   daemon's sweep (userns/sysfs-sweep.ts). The directories are 0711: the pod's
 *   unprivileged root must traverse them when its runtime binds the sysfs.
 * - its net.* sysctls, written from a thread that entered the namespace.
 */
import { chmodSync, mkdirSync, rmdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FailedPreconditionError, InvalidArgumentError } from '../errors';
import { unmountRootfs } from '../process/rootfs';
import type { NetnsSys } from '../sys/netns-sys';
import { MS, type Sys } from '../sys/sys';

export const podSysfsDir = '/run/metassembly/sysfs';

export interface PodNetworkHost {
  /** where the pod's sysfs is (to be) staged */
  sysfsPath(namespace: string, podId: string): string;
  /** whether this shim staged the pod's sysfs: its containers bind it */
  staged(namespace: string, podId: string): boolean;
  /** mounts a sysfs of the network namespace at netnsPath at sysfsPath(namespace, podId) */
  stageSysfs(namespace: string, podId: string, netnsPath: string): void;
  /** writes net.* sysctls into the network namespace at netnsPath */
  writeSysctls(netnsPath: string, sysctls: Readonly<Record<string, string>>): void;
  /** takes the pod's staged sysfs down; nothing when it has none */
  release(namespace: string, podId: string): void;
}

const sysfsFlags = MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC;

export function podNetworkHost(sys: Sys & NetnsSys, dir = podSysfsDir): PodNetworkHost {
  const stagedPods = new Set<string>();
  const key = (namespace: string, podId: string): string => `${namespace}/${podId}`;
  const sysfsPath = (namespace: string, podId: string): string => join(dir, namespace, podId, 'sys');
  return {
    sysfsPath,
    staged: (namespace, podId) => stagedPods.has(key(namespace, podId)),
    stageSysfs(namespace, podId, netnsPath) {
      if (stagedPods.has(key(namespace, podId))) return;
      const target = sysfsPath(namespace, podId);
      for (const d of [dirname(dir), dir, join(dir, namespace), dirname(target), target]) {
        mkdirSync(d, { recursive: true });
        chmodSync(d, 0o711);
      }
      try {
        sys.mountInNetns(netnsPath, 'sysfs', target, 'sysfs', sysfsFlags);
        // /run is shared on systemd hosts: the staged mount is copied into no other namespace
        sys.mount('', target, '', MS.PRIVATE, '');
      } catch (err) {
        removeStagedSysfs(sys, target);
        throw new FailedPreconditionError(
          `pod ${podId}: mounting the sysfs of its network namespace ${netnsPath} at ${target} failed: ${(err as Error).message}`,
          { cause: err },
        );
      }
      stagedPods.add(key(namespace, podId));
    },
    writeSysctls(netnsPath, sysctls) {
      const files = Object.keys(sysctls).sort().map((name) => ({ path: netSysctlPath(name), value: sysctls[name] }));
      if (files.length === 0) return;
      try {
        sys.writeInNetns(netnsPath, files);
      } catch (err) {
        throw new FailedPreconditionError(`writing sysctls into the network namespace ${netnsPath} failed: ${(err as Error).message}`, { cause: err });
      }
    },
    release(namespace, podId) {
      if (!stagedPods.delete(key(namespace, podId))) return;
      removeStagedSysfs(sys, sysfsPath(namespace, podId));
    },
  };
}

/** The /proc/sys file of a net.* sysctl, named as runc names it (every dot a slash). */
export function netSysctlPath(name: string): string {
  const parts = name.replaceAll('.', '/').split('/');
  if (parts[0] !== 'net' || parts.length < 2 || parts.some((p) => p === '' || p.includes('\0'))) {
    throw new InvalidArgumentError(`sysctl ${JSON.stringify(name)} is not a net.* sysctl name`);
  }
  return `/proc/sys/${parts.join('/')}`;
}

/** Unmounts a staged sysfs and removes its directories up to the namespace's, while empty. */
export function removeStagedSysfs(sys: Sys, target: string): void {
  unmountRootfs(sys, target);
  for (const d of [target, dirname(target), dirname(dirname(target))]) {
    try {
      rmdirSync(d);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') continue;
      // another pod of the namespace is staged there
      if (code === 'ENOTEMPTY' || code === 'EEXIST') return;
      throw err;
    }
  }
}
