/**
 * What `partition create|delete|list|show` do. Every create is validated in full, for
 * the whole batch and against the partitions that exist, before anything is written;
 * the state file is written last, so a partition with a state file is complete.
 */
import { readdir, rmdir } from 'node:fs/promises';
import { AlreadyExistsError, FailedPreconditionError, InvalidArgumentError } from '../errors';
import { describeOccupancy, partitionCgroups, type PartitionCgroups } from '../cgroups';
import {
  PARTITION_NAME,
  STATE_VERSION,
  formatCpuList,
  parseCpuList,
  formatPartitionList,
  formatSize,
  partitionPaths,
  readTopology,
  renderContainerdConfig,
  renderKubeletConfig,
  renderShimConfig,
  requestOf,
  sameRequest,
  sizePartition,
  type HostTopology,
  type PartitionDirs,
  type PartitionState,
  type PlacementMode,
} from '../partitions';
import { listStates, readState, removeFiles, writeFileAtomic, writeState } from './partition-store';

export interface PartitionEnv {
  dirs: PartitionDirs;
  /** cgroupfs mount point, default /sys/fs/cgroup */
  cgroupRoot: string;
  /** where /sys and /proc are read for the host's topology, default / */
  hostRoot: string;
  /** the cgroup every partition goes under, default /metassembly.slice */
  slice: string;
  out(text: string): void;
}

export interface CreateRequest {
  name: string;
  cpus: number[];
  /** default: the NUMA nodes of `cpus` */
  mems?: number[];
  memoryBytes: number;
  pidsMax?: number;
  mode: PlacementMode;
}

interface Checked {
  state: PartitionState;
  /** the same partition exists already: re-read, not re-created */
  existing: boolean;
}

function checkRequest(req: CreateRequest, topology: HostTopology, env: PartitionEnv, cgroupVersion: 1 | 2): PartitionState {
  if (!PARTITION_NAME.test(req.name)) {
    throw new InvalidArgumentError(`partition name ${JSON.stringify(req.name)}: use 1-40 lowercase letters, digits and '-', starting and ending with a letter or digit`);
  }
  const online = new Set(topology.cpus.map((c) => c.id));
  const foreign = req.cpus.filter((id) => !online.has(id));
  if (req.cpus.length === 0) throw new InvalidArgumentError(`partition ${req.name}: no CPUs given`);
  if (foreign.length > 0) {
    throw new InvalidArgumentError(`partition ${req.name}: CPUs ${formatCpuList(foreign)} are not online on this host (it has ${formatCpuList(online)})`);
  }
  const nodes = new Set(topology.numaNodes.map((n) => n.id));
  const mems = req.mems ?? [...new Set(topology.cpus.filter((c) => req.cpus.includes(c.id)).map((c) => c.numaNode))];
  const badNodes = mems.filter((id) => !nodes.has(id));
  if (mems.length === 0 || badNodes.length > 0) {
    throw new InvalidArgumentError(`partition ${req.name}: memory nodes ${formatCpuList(badNodes)} are not on this host (it has ${formatCpuList(nodes)})`);
  }
  if (req.memoryBytes > topology.memoryBytes) {
    throw new InvalidArgumentError(`partition ${req.name}: memory ${formatSize(req.memoryBytes)} is more than the host has (${formatSize(topology.memoryBytes)})`);
  }
  const spec = sizePartition(
    { name: req.name, cpus: req.cpus, mems, memoryBytes: req.memoryBytes, pidsMax: req.pidsMax },
    { cpuCount: topology.cpus.length, memoryBytes: topology.memoryBytes },
  );
  const path = `${env.slice}/${req.name}`;
  return {
    version: STATE_VERSION,
    name: req.name,
    mode: req.mode,
    spec,
    explicitPids: req.pidsMax !== undefined,
    cgroup: { version: cgroupVersion, root: env.cgroupRoot, path, systemProcs: [] },
    paths: partitionPaths(req.name, env.dirs),
    createdAt: new Date().toISOString(),
  };
}

/** Overlapping cpusets and memory beyond the host, against what exists and within the batch. */
function checkBatch(fresh: PartitionState[], existing: PartitionState[], topology: HostTopology): void {
  const placed = [...existing];
  for (const state of fresh) {
    const mine = new Set(parseCpuList(state.spec.cpus));
    for (const other of placed) {
      const shared = parseCpuList(other.spec.cpus).filter((id) => mine.has(id));
      if (shared.length > 0) {
        throw new InvalidArgumentError(`partition ${state.name}: CPUs ${formatCpuList(shared)} are already partition ${other.name}'s (CPUs ${other.spec.cpus})`);
      }
    }
    placed.push(state);
  }
  const total = placed.reduce((n, s) => n + s.spec.memoryMax, 0);
  if (total > topology.memoryBytes) {
    throw new InvalidArgumentError(
      `partitions would hold ${formatSize(total)} of memory, more than the host's ${formatSize(topology.memoryBytes)} (${placed.map((s) => `${s.name} ${formatSize(s.spec.memoryMax)}`).join(', ')})`,
    );
  }
}

async function writeConfigs(state: PartitionState): Promise<void> {
  await writeFileAtomic(state.paths.containerdConfig, renderContainerdConfig(state.name, state.paths));
  await writeFileAtomic(state.paths.shimConfig, renderShimConfig(state));
  await writeFileAtomic(state.paths.kubeletConfig, renderKubeletConfig(state));
}

/** The state with what the cgroup turned out to be, and the host's notes on it. */
async function makeCgroup(cgroups: PartitionCgroups, state: PartitionState): Promise<{ state: PartitionState; notes: string }> {
  const existed = await cgroups.exists(state.cgroup.path);
  try {
    const info = await cgroups.create(state.cgroup.path, state.spec);
    return {
      state: { ...state, cgroup: { ...state.cgroup, version: info.version, systemProcs: info.systemProcs } },
      notes: info.notes.map((note) => `  ${state.name}: ${note}\n`).join(''),
    };
  } catch (err) {
    // Leave nothing half-made behind; an empty cgroup we just made is safe to remove.
    if (!existed) await cgroups.remove(state.cgroup.path, { force: false }).catch(() => undefined);
    throw err;
  }
}

export async function createPartitions(requests: CreateRequest[], env: PartitionEnv, topology: HostTopology = readTopology(env.hostRoot)): Promise<PartitionState[]> {
  const cgroups = partitionCgroups(env.cgroupRoot);
  const states = await listStates(env.dirs.stateDir);
  const twice = requests.find((r, i) => requests.findIndex((o) => o.name === r.name) !== i);
  if (twice) throw new InvalidArgumentError(`partition ${twice.name} is named twice`);
  const checked: Checked[] = requests.map((req) => {
    const fresh = checkRequest(req, topology, env, cgroups.version);
    const old = states.find((s) => s.name === req.name);
    if (!old) return { state: fresh, existing: false };
    if (!sameRequest(requestOf(old), requestOf(fresh))) {
      const r = requestOf(old);
      throw new AlreadyExistsError(
        `partition ${req.name} exists with CPUs ${r.cpus}, mems ${r.mems}, memory ${formatSize(r.memoryMax)}${r.pidsMax ? `, pids ${r.pidsMax}` : ''}, mode ${r.mode}; delete it first to change it`,
      );
    }
    return { state: old, existing: true };
  });
  checkBatch(checked.filter((c) => !c.existing).map((c) => c.state), states, topology);

  const done: PartitionState[] = [];
  for (const { state, existing } of checked) {
    if (existing) {
      // Re-read, not re-created; only a cgroup lost to a reboot is made again, from the state.
      const present = await cgroups.exists(state.cgroup.path);
      const notes = present ? '' : (await makeCgroup(cgroups, state)).notes;
      await writeConfigs(state);
      env.out(`${state.name}: exists with the same spec (${state.paths.stateFile}); cgroup ${present ? 'present' : 'restored'}\n${notes}`);
      done.push(state);
      continue;
    }
    const { state: made, notes } = await makeCgroup(cgroups, state);
    await writeConfigs(made);
    await writeState(made);
    env.out(`${made.name}: created: CPUs ${made.spec.cpus}, mems ${made.spec.mems}, memory ${formatSize(made.spec.memoryMax)}, pids ${made.spec.pidsMax}, cgroup ${made.cgroup.path} (v${made.cgroup.version})\n${notes}`);
    done.push(made);
  }
  return done;
}

export async function deletePartition(name: string, force: boolean, env: PartitionEnv): Promise<void> {
  const state = await readState(env.dirs.stateDir, name);
  const cgroups = partitionCgroups(env.cgroupRoot);
  if (await cgroups.exists(state.cgroup.path)) {
    const occupancy = await cgroups.occupancy(state.cgroup.path);
    if (!force && (occupancy.pids.length > 0 || occupancy.children.length > 0)) {
      throw new FailedPreconditionError(
        `partition ${name} still has ${describeOccupancy(occupancy)}; stop its pods and its containerd first, or delete with --force to kill them`,
      );
    }
    await cgroups.remove(state.cgroup.path, { force });
  }
  await removeFiles([state.paths.containerdConfig, state.paths.shimConfig, state.paths.kubeletConfig, state.paths.stateFile]);
  // containerd's root (images, snapshots) is left for the operator; an empty directory is not.
  const left = await readdir(state.paths.dir).catch(() => []);
  if (left.length === 0) await rmdir(state.paths.dir).catch(() => undefined);
  env.out(`${name}: deleted${left.length ? ` (kept ${state.paths.dir}: ${left.join(', ')})` : ''}\n`);
}

async function liveStatus(cgroups: PartitionCgroups, state: PartitionState): Promise<{ present: boolean; pods: string[]; pids: number[] }> {
  if (!(await cgroups.exists(state.cgroup.path))) return { present: false, pods: [], pids: [] };
  const { children, pids } = await cgroups.occupancy(state.cgroup.path);
  return { present: true, pods: children, pids };
}

export async function listPartitions(env: PartitionEnv): Promise<void> {
  const cgroups = partitionCgroups(env.cgroupRoot);
  const rows = [];
  for (const state of await listStates(env.dirs.stateDir)) {
    const live = await liveStatus(cgroups, state);
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : word.endsWith('s') ? 'es' : 's'}`;
    const status = live.present ? `${plural(live.pods.length, 'pod')}, ${plural(live.pids.length, 'process')}` : 'cgroup missing: create again to restore';
    rows.push({ spec: state.spec, mode: state.mode, cgroupPath: state.cgroup.path, status });
  }
  env.out(rows.length ? formatPartitionList(rows) : `no partitions in ${env.dirs.stateDir}\n`);
}

export async function showPartition(name: string, env: PartitionEnv): Promise<void> {
  const state = await readState(env.dirs.stateDir, name);
  const live = await liveStatus(partitionCgroups(env.cgroupRoot), state);
  env.out(`${JSON.stringify({ ...state, live }, null, 2)}\n`);
}
