/**
 * The real host's topology from sysfs and procfs, under a root directory (default
 * "/") so tests read a temp tree. The only file in partitions/ that does I/O, and
 * it only reads.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FailedPreconditionError } from '../errors';
import { parseCpuList } from './cpu-list';
import type { HostCpu, HostTopology, NumaNode } from './topology';

function read(root: string, path: string): string {
  try {
    return readFileSync(join(root, path), 'utf8');
  } catch (err) {
    throw new FailedPreconditionError(`topology: read ${join(root, path)}: ${(err as Error).message}`, { cause: err });
  }
}

/** "<Key>: <n> kB" from a meminfo-style text (/proc/meminfo, or a node's "Node 0 MemTotal: ..." lines). */
function memTotal(text: string, path: string): number {
  const m = /MemTotal:\s+(\d+)\s*kB/.exec(text);
  if (!m) throw new FailedPreconditionError(`topology: no MemTotal in ${path}`);
  return Number(m[1]) * 1024;
}

export function readTopology(root = '/'): HostTopology {
  const cpuDir = 'sys/devices/system/cpu';
  const nodeDir = 'sys/devices/system/node';
  const memoryBytes = memTotal(read(root, 'proc/meminfo'), '/proc/meminfo');

  // Offline CPUs have no topology files and cannot run anything: only online ones count.
  const online = parseCpuList(read(root, `${cpuDir}/online`), `${cpuDir}/online`);
  const nodeOf = new Map<number, number>();
  const numaNodes: NumaNode[] = [];
  const nodeNames = existsSync(join(root, nodeDir)) ? readdirSync(join(root, nodeDir)).filter((n) => /^node\d+$/.test(n)) : [];
  for (const name of nodeNames) {
    const id = Number(name.slice(4));
    const cpus = parseCpuList(read(root, `${nodeDir}/${name}/cpulist`)).filter((cpu) => online.includes(cpu));
    for (const cpu of cpus) nodeOf.set(cpu, id);
    numaNodes.push({ id, memoryBytes: memTotal(read(root, `${nodeDir}/${name}/meminfo`), `${nodeDir}/${name}/meminfo`), cpus });
  }
  numaNodes.sort((a, b) => a.id - b.id);
  // A kernel without NUMA support has no node directories: the whole host is node 0.
  if (numaNodes.length === 0) numaNodes.push({ id: 0, memoryBytes, cpus: online });
  // On one node the node is the host; some virtual machines report less in the node's
  // meminfo than in /proc/meminfo (hotplugged memory), and the host total is what cgroups limit.
  if (numaNodes.length === 1) numaNodes[0]!.memoryBytes = memoryBytes;

  const cpus: HostCpu[] = online.map((id) => {
    const topo = `${cpuDir}/cpu${id}/topology`;
    return {
      id,
      core: Number(read(root, `${topo}/core_id`).trim()),
      socket: Number(read(root, `${topo}/physical_package_id`).trim()),
      numaNode: nodeOf.get(id) ?? numaNodes[0]!.id,
    };
  });
  return { cpus, numaNodes, memoryBytes };
}
