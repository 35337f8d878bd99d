/**
 * A partition's persistent state (<stateDir>/<name>.json): what was asked, what was made,
 * where its files are. Re-read on every command, so the manager can restart (or the
 * host reboot) without forgetting a partition. Pure: parsing and comparing.
 */
import { InvalidArgumentError } from '../errors';
import { PARTITION_NAME, type PartitionSpec } from './partition-spec';
import type { PartitionPaths } from './partition-paths';
import type { PlacementMode } from './placement';

/** 2: the pods' own cgroup (spec.pods); a version-1 partition has none and must be made again. */
export const STATE_VERSION = 2;

export interface PartitionState {
  version: typeof STATE_VERSION;
  name: string;
  mode: PlacementMode;
  spec: PartitionSpec;
  /** pids.max came from the operator (not from the sizing) */
  explicitPids: boolean;
  cgroup: {
    version: 1 | 2;
    /** the cgroupfs root it was made under */
    root: string;
    /** the partition's cgroup path under that root, e.g. /metassembly.slice/p0 */
    path: string;
    /** where a daemon writes its pid to join the partition's `.system` leaf */
    systemProcs: string[];
  };
  paths: PartitionPaths;
  createdAt: string;
}

export function parsePartitionState(text: string, source: string): PartitionState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`partition state ${source}: not JSON: ${(err as Error).message}`);
  }
  const state = value as PartitionState;
  const bad = (why: string): never => {
    throw new InvalidArgumentError(`partition state ${source}: ${why}`);
  };
  if (typeof value !== 'object' || value === null) bad('not an object');
  if (state.version !== STATE_VERSION) {
    bad(
      `version ${JSON.stringify(state.version)}, this manager reads version ${STATE_VERSION}` +
        (state.version === 1 ? ' (version 1 had no pods cgroup: stop its pods, `partition delete --force` it and create it again)' : ''),
    );
  }
  if (typeof state.name !== 'string' || !PARTITION_NAME.test(state.name)) bad(`bad name ${JSON.stringify(state.name)}`);
  if (state.mode !== 'clamp' && state.mode !== 'refuse') bad(`bad mode ${JSON.stringify(state.mode)}`);
  if (typeof state.spec?.cpus !== 'string' || typeof state.spec.memoryMax !== 'number') bad('no spec');
  if (typeof state.spec.pods?.memoryMax !== 'number' || typeof state.spec.pods.pidsMax !== 'number') bad('no pods budget in the spec');
  if (typeof state.cgroup?.path !== 'string' || (state.cgroup.version !== 1 && state.cgroup.version !== 2)) bad('no cgroup');
  if (typeof state.paths?.stateFile !== 'string') bad('no paths');
  return state;
}

/** What makes two creates "the same partition": the operator's request, not derived figures. */
export interface PartitionRequest {
  cpus: string;
  mems: string;
  memoryMax: number;
  /** only when the operator set it */
  pidsMax?: number;
  mode: PlacementMode;
}

export function requestOf(state: PartitionState): PartitionRequest {
  const { cpus, mems, memoryMax, pidsMax } = state.spec;
  return { cpus, mems, memoryMax, mode: state.mode, ...(state.explicitPids ? { pidsMax } : {}) };
}

export function sameRequest(a: PartitionRequest, b: PartitionRequest): boolean {
  return a.cpus === b.cpus && a.mems === b.mems && a.memoryMax === b.memoryMax && a.pidsMax === b.pidsMax && a.mode === b.mode;
}
