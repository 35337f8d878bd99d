/**
 * A host's CPU and memory layout as the planner sees it, and hypothetical hosts
 * described in one word ("128c/512GiB/2numa") so a plan can be made for a machine
 * we are not on. Pure; read-topology.ts reads the real one.
 */
import { InvalidArgumentError } from '../errors';
import { parseSize } from './sizes';

/** One logical CPU (a hardware thread). */
export interface HostCpu {
  id: number;
  /** core id within its socket (topology/core_id); SMT siblings share (socket, core) */
  core: number;
  socket: number;
  numaNode: number;
}

export interface NumaNode {
  id: number;
  memoryBytes: number;
  /** logical CPU ids */
  cpus: number[];
}

export interface HostTopology {
  cpus: HostCpu[];
  numaNodes: NumaNode[];
  memoryBytes: number;
}

/** A physical core: the SMT siblings that must stay together in one partition. */
export interface PhysicalCore {
  socket: number;
  core: number;
  numaNode: number;
  /** logical CPU ids, sorted */
  cpus: number[];
}

/** Cores in NUMA node order, then by their lowest CPU id. */
export function physicalCores(topology: HostTopology): PhysicalCore[] {
  const byKey = new Map<string, PhysicalCore>();
  for (const cpu of topology.cpus) {
    // The NUMA node is in the key too: a core reported on two nodes would be a broken sysfs, not a core to split.
    const key = `${cpu.socket}/${cpu.core}/${cpu.numaNode}`;
    const entry = byKey.get(key) ?? { socket: cpu.socket, core: cpu.core, numaNode: cpu.numaNode, cpus: [] };
    entry.cpus.push(cpu.id);
    byKey.set(key, entry);
  }
  const cores = [...byKey.values()];
  for (const c of cores) c.cpus.sort((a, b) => a - b);
  return cores.sort((a, b) => a.numaNode - b.numaNode || a.cpus[0]! - b.cpus[0]!);
}

const HOST_WORD = 'like 128c/512GiB/2numa (cores/memory[/NUMA nodes][/threads per core as 2smt][/sockets as 2s])';

/**
 * A described host: `<N>c` physical cores and a memory size are required; `<K>numa`
 * (default 1), `<T>smt` threads per core (default 1) and `<S>s` sockets (default one per
 * NUMA node) are optional. Cores and memory split evenly over the NUMA nodes; CPUs are
 * numbered as Linux numbers them on x86: the first thread of every core 0..N-1, then
 * the second threads N..2N-1.
 */
export function describeHost(word: string): HostTopology {
  let cores: number | undefined;
  let memoryBytes: number | undefined;
  let nodes = 1;
  let threads = 1;
  let sockets: number | undefined;
  const fail = (why: string): never => {
    throw new InvalidArgumentError(`host ${JSON.stringify(word)}: ${why}; expected ${HOST_WORD}`);
  };
  for (const part of word.split('/')) {
    const m = /^(\d+)(numa|smt|s|c)$/i.exec(part);
    const n = Number(m?.[1]);
    const kind = m?.[2]!.toLowerCase();
    if (kind === 'numa') nodes = n;
    else if (kind === 'smt') threads = n;
    else if (kind === 's') sockets = n;
    else if (kind === 'c') cores = n;
    else memoryBytes = parseSize(part, 'host memory');
  }
  if (cores === undefined || cores === 0) fail('needs a number of cores (e.g. 128c)');
  if (memoryBytes === undefined || memoryBytes === 0) fail('needs a memory size (e.g. 512GiB)');
  if (nodes < 1 || threads < 1) fail('NUMA nodes and threads per core must be at least 1');
  if (cores! % nodes !== 0) fail(`${cores} cores do not split evenly over ${nodes} NUMA nodes`);
  const socketCount = sockets ?? nodes;
  if (socketCount < 1 || nodes % socketCount !== 0) fail(`${nodes} NUMA nodes do not split evenly over ${socketCount} sockets`);

  const perNode = cores! / nodes;
  const cpus: HostCpu[] = [];
  for (let t = 0; t < threads; t++) {
    for (let c = 0; c < cores!; c++) {
      const numaNode = Math.floor(c / perNode);
      cpus.push({ id: t * cores! + c, core: c, socket: Math.floor(numaNode / (nodes / socketCount)), numaNode });
    }
  }
  const nodeMemory = Math.floor(memoryBytes! / nodes);
  const numaNodes: NumaNode[] = Array.from({ length: nodes }, (_, id) => ({
    id,
    memoryBytes: nodeMemory,
    cpus: cpus.filter((cpu) => cpu.numaNode === id).map((cpu) => cpu.id).sort((a, b) => a - b),
  }));
  return { cpus, numaNodes, memoryBytes: memoryBytes! };
}
