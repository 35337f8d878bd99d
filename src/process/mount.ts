/**
 * Rootfs mounts from CreateTaskRequest.rootfs, parsed the way mount(8) and
 * containerd's mount_linux.go read an options list: known words become MS_* flags,
 * everything else is filesystem data. Pure.
 */
import { InvalidArgumentError } from '../errors';
import { MS } from '../sys/sys';
import { splitIdmapOptions, type MountIdmap } from './mount-idmap';

export interface Mount {
  type: string;
  source: string;
  target: string;
  options: string[];
}

export interface MountCall {
  source: string;
  fstype: string;
  flags: number;
  data: string;
  /** a bind mount asked to be read-only needs a second, remounting call */
  remountReadOnly: boolean;
  /** the mount is to be idmapped through this mapping once mounted (containerd 2's uidmap=/gidmap=) */
  idmap?: MountIdmap;
}

const setFlags: Record<string, number> = {
  ro: MS.RDONLY,
  nosuid: MS.NOSUID,
  nodev: MS.NODEV,
  noexec: MS.NOEXEC,
  bind: MS.BIND,
  rbind: MS.BIND | MS.REC,
};
const clearFlags: Record<string, number> = {
  rw: MS.RDONLY,
  suid: MS.NOSUID,
  dev: MS.NODEV,
  exec: MS.NOEXEC,
};
/** Words mount(8) accepts that change nothing for us. */
const ignored = new Set(['defaults', 'auto', 'noauto', 'async', 'user', 'nouser']);

export function toMountCall(mount: Mount): MountCall {
  if (!mount.type) throw new InvalidArgumentError(`rootfs mount of ${mount.source || '(no source)'} has no type`);
  let flags = 0;
  const data: string[] = [];
  const { idmap, options } = splitIdmapOptions(mount.options);
  for (const option of options) {
    if (option in setFlags) flags |= setFlags[option];
    else if (option in clearFlags) flags &= ~clearFlags[option];
    else if (!ignored.has(option)) data.push(option);
  }
  const isBind = (flags & MS.BIND) !== 0 || mount.type === 'bind';
  if (mount.type === 'bind') flags |= MS.BIND;
  return {
    source: mount.source,
    fstype: mount.type,
    flags,
    data: data.join(','),
    remountReadOnly: isBind && (flags & MS.RDONLY) !== 0,
    ...(idmap && { idmap }),
  };
}
