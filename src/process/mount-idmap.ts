/**
 * The id mapping containerd 2's snapshotters attach to a rootfs mount of a user-namespaced
 * pod: options `uidmap=` and `gidmap=`, each `container:host:size[,container:host:size...]`
 * (core/mount's GetUsernsFD syntax). They are not filesystem data: containerd's own mount
 * code takes them out and idmaps the mount through a user namespace on those mappings (an
 * overlay through its lower layers). Pure.
 */
import { InvalidArgumentError } from '../errors';
import type { IdMapping } from '../sys/sys';

export interface MountIdmap {
  uidMappings: IdMapping[];
  gidMappings: IdMapping[];
}

export interface SplitIdmapOptions {
  /** the mapping the mount asked for; undefined when it asked for none */
  idmap?: MountIdmap;
  /** every other option, in order */
  options: string[];
}

export function splitIdmapOptions(options: readonly string[]): SplitIdmapOptions {
  let uidmap: string | undefined;
  let gidmap: string | undefined;
  const rest: string[] = [];
  for (const option of options) {
    if (option.startsWith('uidmap=')) uidmap = option.slice('uidmap='.length);
    else if (option.startsWith('gidmap=')) gidmap = option.slice('gidmap='.length);
    else rest.push(option);
  }
  if (uidmap === undefined && gidmap === undefined) return { options: rest };
  // containerd idmaps only with both; one alone would leave the rootfs owned by ids the pod cannot use
  if (uidmap === undefined || gidmap === undefined) {
    throw new InvalidArgumentError(`rootfs mount has ${uidmap === undefined ? 'gidmap' : 'uidmap'} without ${uidmap === undefined ? 'uidmap' : 'gidmap'}: both are needed to idmap it`);
  }
  return { idmap: { uidMappings: parseMappings('uidmap', uidmap), gidMappings: parseMappings('gidmap', gidmap) }, options: rest };
}

function parseMappings(key: string, value: string): IdMapping[] {
  return value.split(',').map((entry) => {
    const parts = entry.split(':');
    if (parts.length !== 3 || parts.some((p) => !/^\d+$/.test(p))) {
      throw new InvalidArgumentError(`rootfs mount option ${key}=${value}: ${JSON.stringify(entry)} is not container-id:host-id:size`);
    }
    const [containerID, hostID, size] = parts.map(Number);
    if (size === 0 || containerID + size > 2 ** 32 || hostID + size > 2 ** 32) {
      throw new InvalidArgumentError(`rootfs mount option ${key}=${value}: ${entry} is not a range of 32-bit ids`);
    }
    return { containerID, hostID, size };
  });
}
