export type { CgroupEnv, CgroupManager, OomSys } from './cgroup-manager';
export { DEFAULT_CGROUP_ROOT, cgroupVersionOf, detectCgroupMode, type CgroupMode } from './detect-mode';
export { cgroupManagerForPath, cgroupManagerForPid } from './load';
export * from './metrics';
export { CgroupV1Manager } from './v1-manager';
export { CgroupV2Manager } from './v2-manager';
export type { V1Controller, V1Dirs } from './v1-stats';
export {
  SYSTEM_LEAF,
  describeOccupancy,
  type CgroupLimits,
  type CgroupOccupancy,
  type PartitionCgroupInfo,
  type PartitionCgroups,
} from './partition-cgroup';
export { partitionCgroups } from './partition-cgroups';
export { V1PartitionCgroups, ioWeightToBlkio, weightToShares } from './v1-partition';
export { V2PartitionCgroups } from './v2-partition';
