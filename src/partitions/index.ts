export { formatCpuList, parseCpuList } from './cpu-list';
export { PARTITION_NAME, type KubeletSizing, type PartitionSpec } from './partition-spec';
export {
  PlacementRefusedError,
  partitionCgroupsPath,
  placeContainer,
  type PartitionBounds,
  type Placement,
  type PlacementDecision,
  type PlacementMode,
  type PlacementOptions,
  type PlacementSpec,
} from './placement';
export { defaultReserveCores, defaultReserveMemory, planPartitions, type HostReserve, type Plan, type PlanOptions, type PlanRequest } from './plan';
export { readTopology } from './read-topology';
export { MIN_PARTITION_MEMORY, sizePartition, type HostSize, type SizingInput } from './sizing';
export { GiB, MiB, formatSize, parseSize } from './sizes';
export { describeHost, physicalCores, type HostCpu, type HostTopology, type NumaNode, type PhysicalCore } from './topology';
export { RUNTIME_HANDLER, RUNTIME_TYPE, renderContainerdConfig } from './containerd-config';
export { renderKubeletConfig } from './kubelet-config';
export { partitionPaths, type PartitionDirs, type PartitionPaths } from './partition-paths';
export { STATE_VERSION, parsePartitionState, requestOf, sameRequest, type PartitionRequest, type PartitionState } from './partition-state';
export { renderShimConfig } from './shim-config';
export { formatPartitionList, formatPlan, formatTable, type ListedPartition } from './tables';
