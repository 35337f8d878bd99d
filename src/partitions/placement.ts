/**
 * Where a container of a partition goes and what it may ask for: its cgroup is nested
 * `<partition>/<pod>/<container>` whatever the request's cgroupsPath says, and CPU,
 * memory and pids beyond the partition's are clamped to it or refused (the partition's
 * mode). Pure: returns a new spec and the decisions taken; the caller writes the
 * decisions to its audit log.
 */
import { InvalidArgumentError } from '../errors';
import { formatCpuList, parseCpuList } from './cpu-list';
import { formatSize } from './sizes';

export type PlacementMode = 'clamp' | 'refuse';

/** What the shim knows of its partition (the `[partition]` section of its config). */
export interface PartitionBounds {
  name: string;
  /** the partition's cgroup, absolute under the cgroupfs root (the same in every v1 hierarchy), e.g. /metassembly.slice/p0 */
  cgroupParent: string;
  cpus: string;
  mems: string;
  memoryMax: number;
  pidsMax: number;
}

export interface PlacementOptions {
  podId: string;
  containerId: string;
  mode: PlacementMode;
}

/** The runtime-spec fields placement reads and writes; unknown fields pass through untouched. */
export interface PlacementSpec {
  linux?: {
    cgroupsPath?: string;
    resources?: {
      cpu?: { shares?: number; quota?: number; period?: number; cpus?: string; mems?: string; [key: string]: unknown };
      memory?: { limit?: number; reservation?: number; [key: string]: unknown };
      pids?: { limit?: number; [key: string]: unknown };
      [key: string]: unknown;
    };
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface PlacementDecision {
  what: string;
  action: 'changed' | 'refused';
  why: string;
  /** where in the spec, dotted */
  path: string;
}

export interface Placement<S extends PlacementSpec> {
  spec: S;
  cgroupsPath: string;
  decisions: PlacementDecision[];
}

/** A request for more than the partition has, in refuse mode. */
export class PlacementRefusedError extends InvalidArgumentError {
  readonly decisions: readonly PlacementDecision[];
  constructor(partition: string, containerId: string, decisions: readonly PlacementDecision[]) {
    const refused = decisions.filter((d) => d.action === 'refused');
    super(`partition ${partition} refused container ${containerId}: ${refused.map((d) => `${d.what}: ${d.why}`).join('; ')}`);
    this.decisions = decisions;
  }
}

/** containerd ids are [A-Za-z0-9_.-]; anything else could climb out of the partition's cgroup. */
const CGROUP_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

function segment(value: string, what: string): string {
  if (!CGROUP_SEGMENT.test(value) || value === '.' || value === '..') {
    throw new InvalidArgumentError(`${what} ${JSON.stringify(value)} cannot name a cgroup: use letters, digits, '_', '-', '.'`);
  }
  return value;
}

/** The container's cgroupfs path (runc's cgroupsPath without the systemd driver), for v1 and v2 alike. */
export function partitionCgroupsPath(partition: PartitionBounds, podId: string, containerId: string): string {
  const parent = partition.cgroupParent.replace(/\/+$/, '');
  if (!parent.startsWith('/') || parent.split('/').slice(1).some((s) => s === '' || s === '.' || s === '..')) {
    throw new InvalidArgumentError(`partition ${partition.name}: cgroup parent ${JSON.stringify(partition.cgroupParent)} must be a clean absolute path`);
  }
  return `${parent}/${segment(podId, 'pod id')}/${segment(containerId, 'container id')}`;
}

class Decisions {
  readonly list: PlacementDecision[] = [];
  constructor(private readonly mode: PlacementMode) {}

  /** Records the clamp (and returns true) in clamp mode; records a refusal in refuse mode. */
  overLimit(what: string, asked: string, limit: string, path: string): boolean {
    const why = `asks for ${asked}, more than the partition's ${limit}`;
    if (this.mode === 'refuse') {
      this.list.push({ what, action: 'refused', why, path });
      return false;
    }
    this.list.push({ what, action: 'changed', why: `${why}: clamped to ${limit}`, path });
    return true;
  }
}

function clampList(asked: string, allowed: string, what: string, path: string, decisions: Decisions): string {
  const askedIds = parseCpuList(asked, path);
  const allowedIds = new Set(parseCpuList(allowed, 'partition list'));
  const outside = askedIds.filter((id) => !allowedIds.has(id));
  if (askedIds.length === 0 || outside.length === 0) return asked;
  if (!decisions.overLimit(what, `${asked} (${formatCpuList(outside)} outside)`, allowed, path)) return asked;
  const inside = askedIds.filter((id) => allowedIds.has(id));
  // Nothing of the request is inside: the partition's whole set is the nearest honest answer.
  return inside.length > 0 ? formatCpuList(inside) : allowed;
}

export function placeContainer<S extends PlacementSpec>(spec: S, partition: PartitionBounds, options: PlacementOptions): Placement<S> {
  const cgroupsPath = partitionCgroupsPath(partition, options.podId, options.containerId);
  const out = structuredClone(spec);
  const decisions = new Decisions(options.mode);
  const linux = (out.linux ??= {});
  if (linux.cgroupsPath !== cgroupsPath) {
    decisions.list.push({
      what: 'cgroupsPath',
      action: 'changed',
      why: `nested in partition ${partition.name}${linux.cgroupsPath ? ` (the request said ${JSON.stringify(linux.cgroupsPath)})` : ''}`,
      path: 'linux.cgroupsPath',
    });
    linux.cgroupsPath = cgroupsPath;
  }

  const resources = linux.resources;
  const cpuCount = parseCpuList(partition.cpus, 'partition cpus').length;
  const cpu = resources?.cpu;
  if (cpu?.quota !== undefined && cpu.quota > 0) {
    const period = cpu.period && cpu.period > 0 ? cpu.period : 100_000;
    if (cpu.quota > cpuCount * period) {
      const asked = `quota ${cpu.quota}/${period} (${(cpu.quota / period).toFixed(2).replace(/\.?0+$/, '')} CPUs)`;
      if (decisions.overLimit('cpu quota', asked, `${cpuCount} CPUs`, 'linux.resources.cpu.quota')) cpu.quota = cpuCount * period;
    }
  }
  if (cpu?.cpus) cpu.cpus = clampList(cpu.cpus, partition.cpus, 'cpuset cpus', 'linux.resources.cpu.cpus', decisions);
  if (cpu?.mems) cpu.mems = clampList(cpu.mems, partition.mems, 'cpuset mems', 'linux.resources.cpu.mems', decisions);

  const memory = resources?.memory;
  for (const key of ['limit', 'reservation'] as const) {
    const value = memory?.[key];
    if (value !== undefined && value > partition.memoryMax) {
      if (decisions.overLimit(`memory ${key}`, formatSize(value), formatSize(partition.memoryMax), `linux.resources.memory.${key}`)) memory![key] = partition.memoryMax;
    }
  }
  const pids = resources?.pids;
  if (pids?.limit !== undefined && pids.limit > partition.pidsMax) {
    if (decisions.overLimit('pids limit', String(pids.limit), String(partition.pidsMax), 'linux.resources.pids.limit')) pids.limit = partition.pidsMax;
  }

  if (decisions.list.some((d) => d.action === 'refused')) throw new PlacementRefusedError(partition.name, options.containerId, decisions.list);
  return { spec: out, cgroupsPath, decisions: decisions.list };
}
