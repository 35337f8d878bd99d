/**
 * What one partition is: its cpuset, memory and pids limits, weights, and the kubelet
 * numbers that fit inside it. Made by the planner and by `partition create`; stored
 * as the partition's state; read by placement. Pure.
 */

export interface KubeletSizing {
  /** pods the kubelet admits (kubelet's maxPods) */
  maxPods: number;
  /** per-pod pids limit (kubelet's podPidsLimit) */
  podPidsLimit: number;
  /**
   * For the kubelet, containerd and the shim, which run inside the partition (in its
   * `system` cgroup): Kubernetes quantities.
   */
  systemReserved: { cpu: string; memory: string; pid: string };
  /**
   * The part of the host that is not this partition's. The kubelet reads its capacity
   * from the whole machine (/proc/cpuinfo, /proc/meminfo), not from its cgroup; reserving
   * the rest of the host here makes node allocatable match the partition. It is not
   * enforced (enforceNodeAllocatable lists only pods), only subtracted.
   */
  kubeReserved: { cpu: string; memory: string };
  /** the kubelet's evictionHard memory.available */
  evictionMemory: string;
}

export interface PartitionSpec {
  name: string;
  /** cpuset.cpus, list form */
  cpus: string;
  /** cpuset.mems, list form */
  mems: string;
  /** logical CPUs in `cpus` */
  cpuCount: number;
  /** memory.max (v1: memory.limit_in_bytes) */
  memoryMax: number;
  /** memory.high (v1: memory.soft_limit_in_bytes) */
  memoryHigh: number;
  /** pids.max */
  pidsMax: number;
  /** cpu.weight, 1..10000 (v1: cpu.shares converted) */
  cpuWeight: number;
  /** io.weight, 1..10000 (v1: blkio.weight converted) */
  ioWeight: number;
  /**
   * What all of the partition's pods together may use: the partition less the daemons'
   * reserve. Enforced on the pods' own cgroup, so pods that fill it (a fork bomb, a leak)
   * cannot take from the kubelet, containerd and the shim the pids and memory they need
   * to stop them.
   */
  pods: { memoryMax: number; pidsMax: number };
  kubelet: KubeletSizing;
}

/** DNS-label-like: safe as a cgroup, file and socket directory name, and as a Kubernetes node name part. */
export const PARTITION_NAME = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;
