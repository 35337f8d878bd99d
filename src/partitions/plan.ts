/**
 * The planner: a host topology and a request (how many partitions, or how big each)
 * -> partitions of whole cores that stay inside one NUMA node whenever they fit in
 * one, with memory from their own node, after a reserve kept for the host. Pure.
 */
import { InvalidArgumentError } from '../errors';
import { formatCpuList } from './cpu-list';
import type { PartitionSpec } from './partition-spec';
import { MIN_PARTITION_MEMORY, sizePartition } from './sizing';
import { GiB, MiB, formatSize } from './sizes';
import { physicalCores, type HostTopology, type PhysicalCore } from './topology';

export type PlanRequest = { count: number } | { cpusPerPartition: number; memoryPerPartition: number };

export interface HostReserve {
  /** logical CPUs kept for the host, taken as whole cores (rounded up) */
  cpus?: number;
  memoryBytes?: number;
}

export interface PlanOptions {
  reserve?: HostReserve;
  /** partition names are the prefix and a zero-padded index: p00, p01, ... */
  namePrefix?: string;
  /** pids.max for every partition; by default it follows from maxPods */
  pidsMax?: number;
}

export interface Plan {
  host: { cpus: number; cores: number; numaNodes: number; memoryBytes: number };
  reserved: { cpus: string; memoryBytes: number };
  partitions: PartitionSpec[];
  /** CPUs in neither the reserve nor a partition */
  unassignedCpus: string;
  unassignedMemoryBytes: number;
  /** roundings and fallbacks the plan made, for the operator */
  notes: string[];
}

/** One core per NUMA node: keeps housekeeping local to each node and the nodes equal. */
export function defaultReserveCores(topology: HostTopology): number {
  return topology.numaNodes.length;
}

/** max(1 GiB, 5% of the host): the kernel, sshd, the node agent and page cache headroom. */
export function defaultReserveMemory(memoryBytes: number): number {
  return Math.max(GiB, Math.floor((memoryBytes * 0.05) / MiB) * MiB);
}

interface NodePool {
  id: number;
  cores: PhysicalCore[];
  memory: number;
}

function positiveInteger(value: number, what: string): number {
  if (!Number.isInteger(value) || value <= 0) throw new InvalidArgumentError(`${what} must be a whole number above 0, got ${value}`);
  return value;
}

/** Takes the reserve's cores round-robin from the nodes' first cores; returns the reserved CPUs. */
function takeReserve(pools: NodePool[], cpus: number): number[] {
  const taken: number[] = [];
  for (let i = 0; taken.length < cpus; i++) {
    const pool = pools[i % pools.length]!;
    if (pools.every((p) => p.cores.length === 0)) break;
    const core = pool.cores.shift();
    if (core) taken.push(...core.cpus);
  }
  return taken;
}

interface Placed {
  cpus: number[];
  mems: number[];
}

/**
 * Up to `max` partitions of `cores` cores and `memory` bytes: first whole ones inside a
 * node, node by node; then, from what the nodes have left, ones that span nodes (only
 * when a partition is bigger than what any node has left). Mutates the pools.
 */
function place(pools: NodePool[], cores: number, memory: number, max: number): Placed[] {
  const placed: Placed[] = [];
  for (const pool of pools) {
    while (placed.length < max && pool.cores.length >= cores && pool.memory >= memory) {
      placed.push({ cpus: pool.cores.splice(0, cores).flatMap((c) => c.cpus), mems: [pool.id] });
      pool.memory -= memory;
    }
  }
  const leftCores = () => pools.reduce((n, p) => n + p.cores.length, 0);
  const leftMemory = () => pools.reduce((n, p) => n + p.memory, 0);
  while (placed.length < max && leftCores() >= cores && leftMemory() >= memory) {
    const cpus: number[] = [];
    const mems = new Set<number>();
    let need = cores;
    for (const pool of pools) {
      const take = pool.cores.splice(0, need);
      need -= take.length;
      if (take.length > 0) mems.add(pool.id);
      cpus.push(...take.flatMap((c) => c.cpus));
    }
    // Memory from the nodes of its CPUs first, then from any node that has some left.
    let owed = memory;
    const order = [...pools].sort((a, b) => Number(mems.has(b.id)) - Number(mems.has(a.id)));
    for (const pool of order) {
      const take = Math.min(owed, pool.memory);
      if (take > 0) {
        pool.memory -= take;
        owed -= take;
        mems.add(pool.id);
      }
    }
    placed.push({ cpus, mems: [...mems] });
  }
  return placed;
}

export function planPartitions(topology: HostTopology, request: PlanRequest, options: PlanOptions = {}): Plan {
  const notes: string[] = [];
  const cores = physicalCores(topology);
  const threads = Math.max(...cores.map((c) => c.cpus.length));
  const reserveCpus = options.reserve?.cpus ?? defaultReserveCores(topology) * threads;
  const reserveMemory = options.reserve?.memoryBytes ?? defaultReserveMemory(topology.memoryBytes);
  if (!Number.isInteger(reserveCpus) || reserveCpus < 0) throw new InvalidArgumentError(`reserved CPUs must be a whole number, got ${reserveCpus}`);
  if (reserveMemory < 0 || reserveMemory >= topology.memoryBytes) {
    throw new InvalidArgumentError(`reserved memory ${formatSize(reserveMemory)} leaves nothing of the host's ${formatSize(topology.memoryBytes)}`);
  }

  // Each node gives up a share of the memory reserve in proportion to its size.
  const nodeTotal = topology.numaNodes.reduce((n, node) => n + node.memoryBytes, 0);
  const pools: NodePool[] = topology.numaNodes.map((node) => ({
    id: node.id,
    cores: cores.filter((c) => c.numaNode === node.id),
    memory: Math.floor((node.memoryBytes * (1 - reserveMemory / topology.memoryBytes)) / MiB) * MiB,
  }));
  const reserved = takeReserve(pools, reserveCpus);
  if (reserved.length > reserveCpus) notes.push(`the host reserve of ${reserveCpus} CPUs is rounded up to whole cores: ${reserved.length} CPUs`);
  const freeCores = pools.reduce((n, p) => n + p.cores.length, 0);
  const freeMemory = Math.min(topology.memoryBytes - reserveMemory, pools.reduce((n, p) => n + p.memory, 0));
  const afterReserve = `after the host reserve (CPUs ${formatCpuList(reserved) || 'none'}, ${formatSize(reserveMemory)})`;
  if (nodeTotal === 0 || freeCores === 0) throw new InvalidArgumentError(`no cores left for partitions ${afterReserve}`);

  let placed: Placed[];
  if ('count' in request) {
    const count = positiveInteger(request.count, 'the partition count');
    if (count > freeCores) {
      throw new InvalidArgumentError(`${count} partitions need at least ${count} cores; the host has ${freeCores} of ${cores.length} ${afterReserve}`);
    }
    const memory = Math.floor(freeMemory / count / MiB) * MiB;
    if (memory < MIN_PARTITION_MEMORY) {
      throw new InvalidArgumentError(`${count} partitions would get ${formatSize(memory)} each, below the ${formatSize(MIN_PARTITION_MEMORY)} minimum (${formatSize(freeMemory)} ${afterReserve})`);
    }
    // The most cores each that still places all of them; NUMA fit may need fewer than an even split.
    placed = [];
    for (let each = Math.floor(freeCores / count); each >= 1 && placed.length < count; each--) {
      placed = place(pools.map((p) => ({ ...p, cores: [...p.cores] })), each, memory, count);
    }
    if (placed.length < count) throw new InvalidArgumentError(`${count} partitions of ${formatSize(memory)} do not fit the NUMA nodes' memory ${afterReserve}`);
  } else {
    const cpus = positiveInteger(request.cpusPerPartition, 'CPUs per partition');
    const memory = positiveInteger(request.memoryPerPartition, 'memory per partition');
    if (memory > topology.memoryBytes) throw new InvalidArgumentError(`memory per partition ${formatSize(memory)} is more than the host has (${formatSize(topology.memoryBytes)})`);
    const each = Math.ceil(cpus / threads);
    if (each * threads !== cpus) notes.push(`${cpus} CPUs per partition rounded up to ${each} whole cores (${each * threads} CPUs)`);
    placed = place(pools, each, memory, Infinity);
    if (placed.length === 0) {
      throw new InvalidArgumentError(`no partition of ${cpus} CPUs and ${formatSize(memory)} fits: ${freeCores} cores and ${formatSize(freeMemory)} are left ${afterReserve}`);
    }
  }
  if (placed.some((p) => p.mems.length > 1)) notes.push('some partitions span NUMA nodes: they are bigger than what one node has left');

  const memoryEach = 'count' in request ? Math.floor(freeMemory / request.count / MiB) * MiB : request.memoryPerPartition;
  const width = String(placed.length - 1).length;
  const prefix = options.namePrefix ?? 'p';
  const hostSize = { cpuCount: topology.cpus.length, memoryBytes: topology.memoryBytes };
  const partitions = placed.map((p, i) =>
    sizePartition({ name: `${prefix}${String(i).padStart(width, '0')}`, cpus: p.cpus, mems: p.mems, memoryBytes: memoryEach, pidsMax: options.pidsMax }, hostSize),
  );
  const used = new Set([...reserved, ...placed.flatMap((p) => p.cpus)]);
  const idle = topology.cpus.map((c) => c.id).filter((id) => !used.has(id));
  if (idle.length > 0) notes.push(`${idle.length} CPUs stay unassigned: partitions are equal, of whole cores, and inside one NUMA node when they fit one`);
  return {
    host: { cpus: topology.cpus.length, cores: cores.length, numaNodes: topology.numaNodes.length, memoryBytes: topology.memoryBytes },
    reserved: { cpus: formatCpuList(reserved), memoryBytes: reserveMemory },
    partitions,
    unassignedCpus: formatCpuList(idle),
    unassignedMemoryBytes: topology.memoryBytes - reserveMemory - memoryEach * partitions.length,
    notes,
  };
}
