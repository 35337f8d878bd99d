/**
 * Makes an image's rootfs usable by a pod whose root is an unprivileged host id, without
 * chowning the image:
 *
 * - a directory or a mount of an idmappable filesystem (a bind from `ctr --rootfs`, a
 *   snapshotter's single read-only layer): a detached clone of it is idmapped through the
 *   pod's mapping and attached at the target (on top of the source when they are the same);
 * - an overlay (a snapshotter's layers): overlayfs itself cannot be idmapped, but it can
 *   stack on idmapped layers (kernel 5.19). Each lower layer gets an idmapped clone and the
 *   overlay is mounted again on those, replacing the original at the same path. The upper
 *   layer, the container's own fresh writable layer, stays un-idmapped (overlay writes it
 *   with the mounter's credentials, which an idmapping could not represent); only its
 *   top directory is handed to the pod's root, like containerd 2's remapped snapshots.
 *
 * Through an idmapped layer a file of on-disk uid N shows as host uid (range start + N),
 * which is uid N inside the pod; ids outside the range show as the overflow id (65534).
 */
import * as fs from 'node:fs';
import { release } from 'node:os';
import * as path from 'node:path';
import { FailedPreconditionError } from '../errors';
import { MNT, MS, OPEN_TREE, type IdMapping, type Sys } from '../sys/sys';
import { idmapSince, idmappedMountsSince, missingIdmapSupport } from './kernel-support';
import { mountOf, readMountinfo, type MountEntry } from './mountinfo';
import { formatOverlayOptions, parseOverlayOptions } from './overlay-options';

export type IdmapSys = Pick<Sys, 'openTree' | 'mountSetattrIdmap' | 'moveMount' | 'usernsFdForMapping' | 'mount' | 'unmount'>;

export interface IdmapMapping {
  uidMappings: IdMapping[];
  gidMappings: IdMapping[];
}

export interface IdmapHost {
  /** the mount table (default: /proc/self/mountinfo) */
  mounts?: () => MountEntry[];
  /** uname release (default: os.release()) */
  kernelRelease?: string;
  /** where an overlay's idmapped layers are attached while the overlay is mounted on them */
  stagingDir?: string;
}

export const defaultStagingDir = '/run/metassembly/idmap';

/**
 * The idmapped view of `source` at `target` (often the same path: the bundle's rootfs). An
 * overlay is remounted in place, so for one `source` must be its mount point and `target`.
 */
export function mountIdmappedRootfs(sys: IdmapSys, source: string, target: string, mapping: IdmapMapping, host: IdmapHost = {}): void {
  const kernel = host.kernelRelease ?? release();
  const mounts = (host.mounts ?? (() => readMountinfo()))();
  const top = mountOf(mounts, source);
  const fstype = top?.fstype ?? 'unknown';
  if (fstype === 'overlay') {
    if (top?.mountPoint !== source || source !== target) {
      throw refused(source, 'overlay', `overlayfs cannot be idmapped itself, only remounted in place on idmapped layers, and ${source} ${top?.mountPoint !== source ? 'is not its overlay\'s mount point' : `is not the target ${target}`}`);
    }
    idmapOverlay(sys, target, top, mapping, { ...host, kernelRelease: kernel, mounts: () => mounts });
    return;
  }
  const missing = missingIdmapSupport(kernel, fstype);
  if (missing !== undefined) throw refused(source, fstype, missing);
  withUserns(sys, mapping, (usernsFd) => {
    const treeFd = idmappedClone(sys, source, usernsFd, fstype, kernel, source);
    try {
      sys.moveMount(treeFd, target);
    } finally {
      fs.closeSync(treeFd);
    }
  });
}

/**
 * Takes the idmapped rootfs down: the clone stacked on top, or the overlay on idmapped
 * layers (which replaced the original). true if it did; false when neither is there.
 */
export function unmountIdmappedRootfs(sys: IdmapSys, target: string, host: IdmapHost = {}): boolean {
  const top = mountOf((host.mounts ?? (() => readMountinfo()))(), target);
  if (top?.mountPoint !== target) return false;
  const staging = `${host.stagingDir ?? defaultStagingDir}/`;
  const ours =
    top.mountOptions.includes('idmapped') ||
    (top.fstype === 'overlay' && parseOverlayOptions(top.superOptions).lowerdirs.every((l) => l.startsWith(staging)));
  if (!ours) return false;
  // Detach: the clone may carry submounts, and nothing of a deleted container should hold it.
  sys.unmount(target, MNT.DETACH);
  return true;
}

function idmapOverlay(sys: IdmapSys, rootfs: string, overlay: MountEntry, mapping: IdmapMapping, host: Required<Pick<IdmapHost, 'kernelRelease' | 'mounts'>> & IdmapHost): void {
  const kernel = host.kernelRelease;
  const missing = missingIdmapSupport(kernel, 'overlay');
  if (missing !== undefined) throw refused(rootfs, 'overlay', missing.replace('idmapped overlay mounts', 'overlays on idmapped layers'));
  const layers = parseOverlayOptions(overlay.superOptions);
  const flags = mountFlags(overlay.mountOptions);
  const original = formatOverlayOptions(layers);

  const stagingRoot = host.stagingDir ?? defaultStagingDir;
  // Its layers were detached once it was mounted on them: idmapping it again would find none.
  if (layers.lowerdirs.length > 0 && layers.lowerdirs.every((lower) => lower.startsWith(`${stagingRoot}/`))) {
    throw new FailedPreconditionError(`${rootfs}: the overlay already stands on idmapped layers (${stagingRoot}); it is not idmapped twice`);
  }
  fs.mkdirSync(stagingRoot, { recursive: true, mode: 0o700 });
  const staging = fs.mkdtempSync(path.join(stagingRoot, 'l-'));
  const staged: string[] = [];
  try {
    withUserns(sys, mapping, (usernsFd) => {
      layers.lowerdirs.forEach((lower, i) => {
        const fstype = mountOf(host.mounts(), lower)?.fstype ?? 'unknown';
        const missingLayer = missingIdmapSupport(kernel, fstype);
        if (missingLayer !== undefined) throw refused(rootfs, `overlay layer ${lower} on ${fstype}`, missingLayer);
        const treeFd = idmappedClone(sys, lower, usernsFd, fstype, kernel, rootfs);
        const at = path.join(staging, String(i));
        fs.mkdirSync(at);
        try {
          sys.moveMount(treeFd, at);
          staged.push(at);
        } finally {
          fs.closeSync(treeFd);
        }
      });
    });
    if (layers.upperdir !== undefined) {
      const root = hostRoot(mapping);
      fs.chownSync(layers.upperdir, root.uid, root.gid);
    }
    // The upper and work dirs take one overlay at a time: the original goes first.
    sys.unmount(rootfs, 0);
    try {
      sys.mount('overlay', rootfs, 'overlay', flags, formatOverlayOptions({ ...layers, lowerdirs: staged }));
    } catch (err) {
      sys.mount('overlay', rootfs, 'overlay', flags, original);
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'EINVAL') {
        throw refused(rootfs, 'overlay', `mounting an overlay on idmapped layers failed (EINVAL) on kernel ${kernel}; it needs ${idmapSince('overlay')!.join('.')} or later`, err);
      }
      throw err;
    }
  } finally {
    // The overlay holds private clones of its layers: the staged mounts are no longer needed.
    for (const at of staged) sys.unmount(at, MNT.DETACH);
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** A detached, idmapped clone of the mount tree at `source`; the caller attaches and closes it. */
function idmappedClone(sys: IdmapSys, source: string, usernsFd: number, fstype: string, kernel: string, rootfs: string): number {
  let treeFd: number | undefined;
  try {
    treeFd = sys.openTree(source, OPEN_TREE.CLONE | OPEN_TREE.CLOEXEC | OPEN_TREE.AT_RECURSIVE);
    sys.mountSetattrIdmap(treeFd, usernsFd);
    return treeFd;
  } catch (err) {
    // A clone never attached goes with its fd.
    if (treeFd !== undefined) fs.closeSync(treeFd);
    throw explain(err as NodeJS.ErrnoException, rootfs, fstype, kernel);
  }
}

/** The namespace lives on only through the mounts made with it. */
function withUserns(sys: IdmapSys, mapping: IdmapMapping, body: (usernsFd: number) => void): void {
  const usernsFd = sys.usernsFdForMapping(mapping.uidMappings, mapping.gidMappings);
  try {
    body(usernsFd);
  } finally {
    fs.closeSync(usernsFd);
  }
}

function hostRoot(mapping: IdmapMapping): { uid: number; gid: number } {
  const find = (ms: IdMapping[], kind: string): number => {
    const m = ms.find((l) => l.containerID <= 0 && l.containerID + l.size > 0);
    if (m === undefined) throw new FailedPreconditionError(`the pod's mapping has no ${kind} for container root`);
    return m.hostID - m.containerID;
  };
  return { uid: find(mapping.uidMappings, 'uid'), gid: find(mapping.gidMappings, 'gid') };
}

function mountFlags(options: string[]): number {
  const bits: Record<string, number> = { ro: MS.RDONLY, nosuid: MS.NOSUID, nodev: MS.NODEV, noexec: MS.NOEXEC };
  return options.reduce((flags, o) => flags | (bits[o] ?? 0), 0);
}

function explain(err: NodeJS.ErrnoException, rootfs: string, fstype: string, kernel: string): Error {
  switch (err.code) {
    case 'ENOSYS':
      return refused(rootfs, fstype, `kernel ${kernel} lacks ${err.syscall} (idmapped mounts need ${idmappedMountsSince.join('.')} or later)`, err);
    case 'EINVAL': {
      const since = idmapSince(fstype);
      const need = since ? `needs kernel ${since.join('.')} or later` : 'is not known to support them';
      return refused(rootfs, fstype, `${err.syscall}: the ${fstype} filesystem does not support idmapped mounts on kernel ${kernel} (${fstype} ${need})`, err);
    }
    case 'EPERM':
      return refused(rootfs, fstype, `${err.syscall}: not permitted; idmapped mounts need CAP_SYS_ADMIN in the host's initial user namespace`, err);
    default:
      return err;
  }
}

function refused(rootfs: string, what: string, why: string, cause?: unknown): FailedPreconditionError {
  return new FailedPreconditionError(
    `cannot give the rootfs ${rootfs} (${what}) an idmapped mount for the pod's user namespace: ${why}; ` +
      'the image is never chowned instead, so the container is refused',
    { cause },
  );
}
