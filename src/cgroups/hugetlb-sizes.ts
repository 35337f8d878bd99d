/**
 * The huge page sizes a hugetlb cgroup accounts, taken from its own file
 * names ("hugetlb.2MB.current") instead of /sys/kernel/mm/hugepages as
 * containerd does: the kernel creates those files for exactly the sizes it
 * supports, and this keeps the cgroupfs root the only filesystem parameter.
 * The names use the same "2MB"/"1GB"/"64KB" spelling containerd derives.
 */
import { listNames } from './cgroupfs';

const UNIT: Record<string, number> = { KB: 1, MB: 2, GB: 3, TB: 4, PB: 5 };

function bytes(size: string): number {
  const match = /^(\d+)([KMGTP]B)$/.exec(size);
  return match ? Number(match[1]) * 1024 ** UNIT[match[2]] : 0;
}

/**
 * Sizes sorted smallest first. `suffix` is the per-size file that marks a
 * size: "usage_in_bytes" on v1, "current" on v2 (newer kernels add
 * "hugetlb.2MB.rsvd.*", which the pattern leaves out).
 */
export async function hugePageSizes(dir: string, suffix: string): Promise<string[] | undefined> {
  const names = await listNames(dir);
  if (names === undefined) return undefined;
  const pattern = new RegExp(`^hugetlb\\.(\\d+[KMGTP]B)\\.${suffix.replace(/\./g, '\\.')}$`);
  const sizes: string[] = [];
  for (const name of names) {
    const match = pattern.exec(name);
    if (match) sizes.push(match[1]);
  }
  return sizes.sort((a, b) => bytes(a) - bytes(b));
}
