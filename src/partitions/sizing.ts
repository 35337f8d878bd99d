/**
 * From a partition's CPUs and memory to its limits and kubelet numbers. The policy in
 * one place, pure; every constant says why it is what it is.
 */
import { InvalidArgumentError } from '../errors';
import { formatCpuList } from './cpu-list';
import type { KubeletSizing, PartitionSpec } from './partition-spec';
import { GiB, MiB, formatSize, toMebiQuantity } from './sizes';

/** memory.high as a share of memory.max: reclaim pressure starts before the OOM killer. */
const MEMORY_HIGH_SHARE = 0.95;
/** The kubelet's default, and what most clusters are tested with. */
const MAX_PODS_CAP = 110;
/** Smallest memory a pod is budgeted (pause container, shim bookkeeping, a small app). */
const MIN_POD_MEMORY = 32 * MiB;
/** kubelet's default evictionHard memory.available. */
const EVICTION_MEMORY = 100 * MiB;
/** Threads a pod may have by default (kubelet podPidsLimit). */
const POD_PIDS = 1024;
/** Threads of the kubelet, containerd and the shim of one partition, with room to spare. */
const SYSTEM_PIDS = 4096;
/** Fewest threads a pod can run with (pause, a process, a probe exec). */
const MIN_POD_PIDS = 16;
/** The smallest partition worth a kubelet: system reserve + eviction + a few pods. */
export const MIN_PARTITION_MEMORY = 512 * MiB;

export interface SizingInput {
  name: string;
  cpus: number[];
  mems: number[];
  memoryBytes: number;
  /** pids.max when the operator sets it; otherwise it follows from maxPods */
  pidsMax?: number;
}

export interface HostSize {
  cpuCount: number;
  memoryBytes: number;
}

/**
 * kubelet + containerd + shim memory: 10% of the first 4 GiB, 5% of the next 12 GiB,
 * 2% above 16 GiB, at least 256 MiB (their resident size with no pods); they grow
 * with the pods a bigger partition runs.
 */
export function systemReservedMemory(memoryBytes: number): number {
  const tiers: Array<[number, number]> = [[4 * GiB, 0.1], [12 * GiB, 0.05], [Infinity, 0.02]];
  let left = memoryBytes;
  let reserved = 0;
  for (const [size, share] of tiers) {
    const part = Math.min(left, size);
    reserved += part * share;
    left -= part;
  }
  return Math.max(256 * MiB, Math.floor(reserved / MiB) * MiB);
}

/** 100m for the kubelet and containerd, 10m more per further CPU (more pods to manage). */
export function systemReservedMillicores(cpuCount: number): number {
  return 100 + 10 * (cpuCount - 1);
}

function pidSizing(name: string, memoryPods: number, pidsMax: number | undefined): { maxPods: number; podPidsLimit: number; systemPids: number; pidsMax: number } {
  if (pidsMax === undefined) {
    return { maxPods: memoryPods, podPidsLimit: POD_PIDS, systemPids: SYSTEM_PIDS, pidsMax: SYSTEM_PIDS + memoryPods * POD_PIDS };
  }
  // An operator's pids.max: a quarter (at most SYSTEM_PIDS) for the daemons, the rest shared by pods.
  const systemPids = Math.min(SYSTEM_PIDS, Math.floor(pidsMax / 4));
  const podBudget = pidsMax - systemPids;
  const maxPods = Math.min(memoryPods, Math.floor(podBudget / MIN_POD_PIDS));
  if (maxPods < 1) {
    let least = MIN_POD_PIDS;
    while (least - Math.floor(least / 4) < MIN_POD_PIDS) least++;
    throw new InvalidArgumentError(`partition ${name}: pids ${pidsMax} is too few for a kubelet and one pod (at least ${least})`);
  }
  return { maxPods, podPidsLimit: Math.min(POD_PIDS, Math.floor(podBudget / maxPods)), systemPids, pidsMax };
}

export function sizePartition(input: SizingInput, host: HostSize): PartitionSpec {
  const { name, memoryBytes } = input;
  const cpuCount = input.cpus.length;
  if (cpuCount === 0) throw new InvalidArgumentError(`partition ${name}: no CPUs`);
  if (input.mems.length === 0) throw new InvalidArgumentError(`partition ${name}: no memory nodes`);
  if (memoryBytes < MIN_PARTITION_MEMORY) {
    throw new InvalidArgumentError(`partition ${name}: memory ${formatSize(memoryBytes)} is below the ${formatSize(MIN_PARTITION_MEMORY)} a kubelet and its pods need`);
  }
  const reservedMemory = systemReservedMemory(memoryBytes);
  const memoryPods = Math.min(MAX_PODS_CAP, Math.floor((memoryBytes - reservedMemory - EVICTION_MEMORY) / MIN_POD_MEMORY));
  const pids = pidSizing(name, memoryPods, input.pidsMax);
  const kubelet: KubeletSizing = {
    maxPods: pids.maxPods,
    podPidsLimit: pids.podPidsLimit,
    systemReserved: { cpu: `${systemReservedMillicores(cpuCount)}m`, memory: toMebiQuantity(reservedMemory), pid: String(pids.systemPids) },
    kubeReserved: {
      cpu: `${Math.max(0, host.cpuCount - cpuCount) * 1000}m`,
      memory: toMebiQuantity(Math.max(0, host.memoryBytes - memoryBytes)),
    },
    evictionMemory: toMebiQuantity(EVICTION_MEMORY),
  };
  return {
    name,
    cpus: formatCpuList(input.cpus),
    mems: formatCpuList(input.mems),
    cpuCount,
    memoryMax: memoryBytes,
    memoryHigh: Math.floor((memoryBytes * MEMORY_HIGH_SHARE) / 4096) * 4096,
    pidsMax: pids.pidsMax,
    // Proportional to CPUs, so partitions whose cpusets overlap (explicit ones may) share fairly.
    cpuWeight: Math.min(10000, Math.max(1, cpuCount * 100)),
    // Disks are shared by all partitions: equal weights, the kernel's default.
    ioWeight: 100,
    pods: { memoryMax: memoryBytes - reservedMemory, pidsMax: pids.pidsMax - pids.systemPids },
    kubelet,
  };
}
