/** The partition cgroups of a host, by its cgroup mode (hybrid hosts keep their controllers on v1). */
import { DEFAULT_CGROUP_ROOT, cgroupVersionOf, detectCgroupMode, type CgroupMode } from './detect-mode';
import type { PartitionCgroups } from './partition-cgroup';
import { V1PartitionCgroups } from './v1-partition';
import { V2PartitionCgroups } from './v2-partition';

export function partitionCgroups(root: string = DEFAULT_CGROUP_ROOT, mode: CgroupMode = detectCgroupMode(root)): PartitionCgroups {
  return cgroupVersionOf(mode) === 2 ? new V2PartitionCgroups(root) : new V1PartitionCgroups(root);
}
