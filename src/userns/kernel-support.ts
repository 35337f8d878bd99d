/**
 * Which kernels can idmap which filesystems: idmapped mounts came in 5.12, and each
 * filesystem opted in later. overlay's entry is for overlays stacked on idmapped layers
 * (overlayfs itself cannot be idmapped). Used to name what is missing before asking the kernel, and to
 * explain an EINVAL after; a filesystem not listed is left for the kernel to decide.
 */
const sinceByFilesystem: Record<string, [number, number]> = {
  ext4: [5, 12],
  xfs: [5, 12],
  vfat: [5, 12],
  btrfs: [5, 15],
  overlay: [5, 19],
  tmpfs: [6, 3],
};

export const idmappedMountsSince: [number, number] = [5, 12];

/** [major, minor] of a release string such as "6.18.44-fc-v657". */
export function kernelVersion(release: string): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)/.exec(release);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** The minimum kernel a filesystem needs for idmapped mounts, if known. */
export function idmapSince(fstype: string): [number, number] | undefined {
  return sinceByFilesystem[fstype];
}

/** Why this kernel cannot idmap this filesystem, or undefined when it should be able to (or it is not known). */
export function missingIdmapSupport(release: string, fstype: string): string | undefined {
  const have = kernelVersion(release);
  if (have === undefined) return undefined;
  for (const [what, since] of [['idmapped mounts', idmappedMountsSince], [`idmapped ${fstype} mounts`, idmapSince(fstype)]] as const) {
    if (since !== undefined && (have[0] < since[0] || (have[0] === since[0] && have[1] < since[1]))) {
      return `${what} need kernel ${since.join('.')} or later; this kernel is ${release}`;
    }
  }
  return undefined;
}
