/**
 * Mounting CreateTaskRequest.rootfs onto <bundle>/rootfs, and taking it all down again.
 */
import { rmdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { InvalidArgumentError, UnknownError } from '../errors';
import { MNT, MS, type Sys } from '../sys/sys';
import { toMountCall, type Mount } from './mount';
import type { ContainerDeps } from './ports';

/**
 * A mount that carries an id mapping (containerd 2's snapshot of a user-namespaced pod) is
 * mounted without it and then idmapped in place, as containerd's own mount code does.
 */
export function mountRootfs(sys: Sys, mounts: Mount[], target: string, idmapMount: ContainerDeps['idmapMount']): void {
  // containerd's snapshotters hand the shim a single mount; several would have to be stacked,
  // which no snapshotter asks for.
  if (mounts.length > 1) throw new InvalidArgumentError(`expected at most one rootfs mount, got ${mounts.length}`);
  for (const mount of mounts) {
    const call = toMountCall(mount);
    try {
      sys.mount(call.source, target, call.fstype, call.flags, call.data);
      if (call.remountReadOnly) sys.mount('', target, '', call.flags | MS.REMOUNT, '');
    } catch (err) {
      throw new UnknownError(`mount rootfs ${mount.type} ${mount.source} on ${target}: ${(err as Error).message}`, { cause: err });
    }
    if (call.idmap === undefined) continue;
    try {
      idmapMount(target, call.idmap);
    } catch (err) {
      unmountRootfs(sys, target);
      throw err;
    }
  }
}

/** Unmounts every mount stacked on target; succeeds when nothing is mounted there. */
export function unmountRootfs(sys: Sys, target: string): void {
  for (let i = 0; i < 64; i++) {
    try {
      sys.unmount(target, MNT.NOFOLLOW);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EINVAL' || code === 'ENOENT') return;
      if (code === 'EBUSY') {
        sys.unmount(target, MNT.NOFOLLOW | MNT.DETACH);
        continue;
      }
      throw new UnknownError(`unmount ${target}: ${(err as Error).message}`, { cause: err });
    }
  }
  throw new UnknownError(`unmount ${target}: still mounted after 64 unmounts`);
}

/**
 * Takes down an idmapped rootfs view kept outside the bundle and removes its mount point,
 * and the namespace's directory above it once no other container's view is there.
 */
export function removeIdmappedRootfs(sys: Sys, target: string): void {
  unmountRootfs(sys, target);
  try {
    rmdirSync(target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  try {
    rmdirSync(dirname(target));
  } catch {
    // another container of the namespace still has its view there (or it is gone already)
  }
}
