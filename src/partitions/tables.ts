/** What `partition plan` and `partition list` print: aligned text tables. Pure. */
import type { Plan } from './plan';
import type { PartitionSpec } from './partition-spec';
import { formatSize } from './sizes';

export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

const SPEC_HEADERS = ['NAME', 'CPUS', 'MEMS', 'NCPU', 'MEMORY', 'HIGH', 'PIDS', 'MAXPODS', 'SYS-RESERVED', 'KUBE-RESERVED'];

function specCells(p: PartitionSpec): string[] {
  const k = p.kubelet;
  return [
    p.name,
    p.cpus,
    p.mems,
    String(p.cpuCount),
    formatSize(p.memoryMax),
    formatSize(p.memoryHigh),
    String(p.pidsMax),
    String(k.maxPods),
    `${k.systemReserved.cpu}/${k.systemReserved.memory}/${k.systemReserved.pid}pids`,
    `${k.kubeReserved.cpu}/${k.kubeReserved.memory}`,
  ];
}

export function formatPlan(plan: Plan): string {
  const { host } = plan;
  const lines = [
    `host: ${host.cpus} CPUs (${host.cores} cores), ${host.numaNodes} NUMA node${host.numaNodes > 1 ? 's' : ''}, ${formatSize(host.memoryBytes)}`,
    `reserved for the host: CPUs ${plan.reserved.cpus || 'none'}, ${formatSize(plan.reserved.memoryBytes)}`,
    `${plan.partitions.length} partition${plan.partitions.length > 1 ? 's' : ''}; unassigned: CPUs ${plan.unassignedCpus || 'none'}, ${formatSize(plan.unassignedMemoryBytes)}`,
    ...plan.notes.map((n) => `note: ${n}`),
    '',
  ];
  return lines.join('\n') + formatTable(SPEC_HEADERS, plan.partitions.map(specCells));
}

export interface ListedPartition {
  spec: PartitionSpec;
  mode: string;
  cgroupPath: string;
  /** live: 'missing' when the cgroup is gone (e.g. after a reboot), else pods/processes */
  status: string;
}

export function formatPartitionList(rows: ListedPartition[]): string {
  return formatTable(
    ['NAME', 'CPUS', 'MEMS', 'MEMORY', 'PIDS', 'MAXPODS', 'MODE', 'CGROUP', 'STATUS'],
    rows.map((r) => [r.spec.name, r.spec.cpus, r.spec.mems, formatSize(r.spec.memoryMax), String(r.spec.pidsMax), String(r.spec.kubelet.maxPods), r.mode, r.cgroupPath, r.status]),
  );
}
