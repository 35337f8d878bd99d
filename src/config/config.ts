/**
 * The shim's configuration: embedded defaults, overridden by the TOML that arrives
 * through the runtime options (config_path, or config_body on containerd 1.7/2.x).
 * Unknown keys and bad values are refused with the key's name. Pure.
 */
import { InvalidArgumentError } from '../errors';
import type { HardeningPolicy } from '../hardening/policy';
import { hardeningFromToml } from './hardening-toml';
import type { TomlTable, TomlValue } from './toml';

export type Grouping = 'pod' | 'container' | 'partition';

/**
 * The Task API `start` declares. "v3" is for containerd 2.x only (1.7 refuses it with
 * "unsupported shim version (3)", 1.6 dials the JSON as a socket name and fails): there, a
 * pod's app containers are created on the pause container's shim without a `start` of their own.
 */
export type TaskApi = 'v2' | 'v3';

/** The node partition this shim's containers are placed in (written by `partition create`). */
export interface PartitionConfig {
  name: string;
  /** where the partition's pods go, e.g. /metassembly.slice/p0/.pods (its pods' cgroup) */
  cgroupParent: string;
  /** what a request for more than the partition has gets */
  mode: 'clamp' | 'refuse';
  cpus: string;
  mems: string;
  /** the most the partition's pods may use, together and so each */
  memoryMax: number;
  pidsMax: number;
}

export interface ShimConfig {
  runtime: {
    /** "runc", "crun" or an absolute path */
    binary: string;
    /** the OCI runtime's state root; the namespace is appended */
    root: string;
    systemdCgroup: boolean;
  };
  shim: {
    /** which containers share one shim daemon */
    grouping: Grouping;
    /** persistent state: the audit log (the user-namespace allocator is host-wide, not here) */
    stateDir: string;
    /** what `start` prints: the plain address (v2) or the version-3 bootstrap JSON */
    taskApi: TaskApi;
  };
  hardening: HardeningPolicy;
  partition?: PartitionConfig;
}

export function defaultConfig(): ShimConfig {
  return {
    runtime: { binary: 'runc', root: '/run/containerd/metassembly', systemdCgroup: false },
    shim: { grouping: 'pod', stateDir: '/var/lib/metassembly', taskApi: 'v2' },
    hardening: hardeningFromToml(undefined, 'defaults'),
  };
}

/** Keys containerd's CRI re-encodes into config_body from its own options table; not ours to judge. */
const criKeys = new Set(['TypeUrl', 'ConfigPath', 'ConfigBody']);

export function configFromToml(table: TomlTable, source: string): ShimConfig {
  const config = defaultConfig();
  const fail = (key: string, why: string): never => {
    throw new InvalidArgumentError(`${source}: ${key}: ${why}`);
  };
  let groupingSet = false;
  for (const [key, value] of Object.entries(table)) {
    if (criKeys.has(key)) continue;
    if (key === 'runtime') {
      for (const [k, v] of Object.entries(asTable(value, key, fail))) {
        const name = `runtime.${k}`;
        if (k === 'binary') config.runtime.binary = binaryName(asString(v, name, fail), name, fail);
        else if (k === 'root') config.runtime.root = absolute(asString(v, name, fail), name, fail);
        else if (k === 'systemd_cgroup') config.runtime.systemdCgroup = asBool(v, name, fail);
        else fail(name, 'unknown key');
      }
    } else if (key === 'shim') {
      for (const [k, v] of Object.entries(asTable(value, key, fail))) {
        const name = `shim.${k}`;
        if (k === 'grouping') {
          config.shim.grouping = oneOf(asString(v, name, fail), ['pod', 'container', 'partition'] as const, name, fail);
          groupingSet = true;
        }
        else if (k === 'state_dir') config.shim.stateDir = absolute(asString(v, name, fail), name, fail);
        else if (k === 'task_api') config.shim.taskApi = oneOf(asString(v, name, fail), ['v2', 'v3'] as const, name, fail);
        else fail(name, 'unknown key');
      }
    } else if (key === 'partition') {
      config.partition = partitionFromToml(asTable(value, key, fail), fail);
    } else if (key === 'hardening') {
      config.hardening = hardeningFromToml(asTable(value, key, fail), source);
    } else {
      fail(key, 'unknown key');
    }
  }
  if (config.partition) {
    // one shim serves a partition's pods unless the operator asked otherwise
    if (!groupingSet) config.shim.grouping = 'partition';
    if (config.runtime.systemdCgroup) fail('runtime.systemd_cgroup', 'must be false with a [partition]: placement writes cgroupfs paths');
  } else if (config.shim.grouping === 'partition') {
    fail('shim.grouping', '"partition" needs a [partition] section');
  }
  return config;
}

function partitionFromToml(table: TomlTable, fail: Fail): PartitionConfig {
  const str = (k: string): string => asString(table[k] ?? fail(`partition.${k}`, 'is required'), `partition.${k}`, fail);
  const int = (k: string): number => {
    const v = table[k] ?? fail(`partition.${k}`, 'is required');
    return typeof v === 'number' && v > 0 ? v : fail(`partition.${k}`, 'must be a positive integer');
  };
  for (const k of Object.keys(table)) {
    if (!['name', 'cgroup_parent', 'mode', 'cpus', 'mems', 'memory_max', 'pids_max'].includes(k)) fail(`partition.${k}`, 'unknown key');
  }
  const parent = str('cgroup_parent');
  if (!parent.startsWith('/') || parent.split('/').includes('..')) fail('partition.cgroup_parent', `must be an absolute cgroup path, got ${JSON.stringify(parent)}`);
  return {
    name: str('name'),
    cgroupParent: parent,
    mode: table.mode === undefined ? 'clamp' : oneOf(str('mode'), ['clamp', 'refuse'] as const, 'partition.mode', fail),
    cpus: str('cpus'),
    mems: str('mems'),
    memoryMax: int('memory_max'),
    pidsMax: int('pids_max'),
  };
}

type Fail = (key: string, why: string) => never;

function asTable(v: TomlValue, key: string, fail: Fail): TomlTable {
  return typeof v === 'object' && !Array.isArray(v) ? v : fail(key, 'must be a table');
}
function asString(v: TomlValue, key: string, fail: Fail): string {
  return typeof v === 'string' ? v : fail(key, 'must be a string');
}
function asBool(v: TomlValue, key: string, fail: Fail): boolean {
  return typeof v === 'boolean' ? v : fail(key, 'must be true or false');
}
function absolute(v: string, key: string, fail: Fail): string {
  return v.startsWith('/') ? v : fail(key, `must be an absolute path, got ${JSON.stringify(v)}`);
}
function binaryName(v: string, key: string, fail: Fail): string {
  if (v.startsWith('/') || /^[A-Za-z0-9._-]+$/.test(v)) return v;
  return fail(key, `must be a command name or an absolute path, got ${JSON.stringify(v)}`);
}
function oneOf<T extends string>(v: string, allowed: readonly T[], key: string, fail: Fail): T {
  return (allowed as readonly string[]).includes(v) ? (v as T) : fail(key, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
}
