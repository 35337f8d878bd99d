/**
 * A container in its pod's user namespace whose network namespace the host's user namespace
 * owns (CRI's CNI network namespace) can neither mount that namespace's sysfs nor write its
 * net.* sysctls from inside: the kernel wants privilege over the owner (EPERM, EACCES). The
 * shim does both from the host's side; this is what the hardened spec becomes then. Pure.
 *
 * - /sys: a read-only bind of the sysfs the shim mounted for the pod's network namespace.
 *   It shows the pod's interfaces only, as a sysfs mounted inside would; the masked and
 *   read-only paths stay in the spec and are applied over it as over any /sys.
 * - net.* sysctls (only those the hardening let through) leave the spec: the caller writes
 *   them into the pod's network namespace before create.
 */
import { posix } from 'node:path';
import { DecisionLog, type Decision } from './decisions';
import type { OciSpec } from './oci-spec';
import { sysctlNamespace } from './sysctl-sets';

export interface HostSideNetworkContext {
  /** the pod's staged sysfs, a directory the pod's root can reach */
  stagedSysfs: string;
}

export interface HostSideNetworkResult {
  spec: OciSpec;
  /** the net.* sysctls the caller writes from the host's side */
  sysctls: Record<string, string>;
  decisions: Decision[];
}

const sysfsBindOptions = ['rbind', 'ro', 'nosuid', 'nodev', 'noexec'];

export function hostSideNetwork(spec: OciSpec, context: HostSideNetworkContext): HostSideNetworkResult {
  const log = new DecisionLog(false);
  const result: OciSpec = structuredClone(spec);
  if (result.mounts !== undefined) {
    result.mounts = result.mounts.map((mount, i) => {
      if (mount.type !== 'sysfs' || posix.normalize(mount.destination) !== '/sys') return mount;
      log.record(
        'changed',
        'sysfs at /sys',
        `the pod's network namespace is the host's user namespace's: /sys is a read-only bind of its sysfs, mounted by the shim (${context.stagedSysfs})`,
        `mounts[${i}]`,
      );
      return { destination: mount.destination, type: 'bind', source: context.stagedSysfs, options: [...sysfsBindOptions] };
    });
  }
  const sysctls: Record<string, string> = {};
  const requested = result.linux?.sysctl;
  if (requested !== undefined) {
    const kept: Record<string, string> = {};
    for (const name of Object.keys(requested).sort()) {
      if (sysctlNamespace(name) !== 'network') {
        kept[name] = requested[name];
        continue;
      }
      sysctls[name] = requested[name];
      log.record(
        'changed',
        `sysctl ${name}`,
        "written into the pod's network namespace by the shim before create: from the pod's user namespace the kernel refuses it (EACCES)",
        'linux.sysctl',
      );
    }
    if (Object.keys(kept).length > 0) result.linux!.sysctl = kept;
    else delete result.linux!.sysctl;
  }
  return { spec: result, sysctls, decisions: log.decisions };
}
