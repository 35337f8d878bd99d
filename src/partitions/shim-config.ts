/**
 * The shim config a partition's runtime handler points at: the partition the shim
 * serves ([partition]: placement reads it) and a runtime state root of its own, so two
 * partitions' containers with the same id do not meet in runc's state. Pure.
 *
 * Placement sees the pods' cgroup and budget, not the whole partition's: that is where
 * containers go and what they may ask for; the rest is the daemons'.
 */
import { PODS_CGROUP } from '../cgroups/partition-cgroup';
import type { PartitionState } from './partition-state';

const str = (s: string): string => JSON.stringify(s);

export function renderShimConfig(state: PartitionState): string {
  const { spec } = state;
  return [
    `# metassembly shim config for node partition ${state.name}; written by \`partition create\`.`,
    '[runtime]',
    `root = ${str(state.paths.runtimeRoot)}`,
    '',
    '[partition]',
    `name = ${str(state.name)}`,
    `cgroup_parent = ${str(`${state.cgroup.path}/${PODS_CGROUP}`)}`,
    `mode = ${str(state.mode)}`,
    `cpus = ${str(spec.cpus)}`,
    `mems = ${str(spec.mems)}`,
    `memory_max = ${spec.pods.memoryMax}`,
    `pids_max = ${spec.pods.pidsMax}`,
    '',
  ].join('\n');
}
