/**
 * Resource limits every container has: pids and memory are always set (a missing or
 * unlimited request gets the partition's default, never "unlimited"), and a request
 * above the maximum is clamped or refused as the policy says.
 */
import type { DecisionLog } from './decisions';
import type { OciResources } from './oci-spec';
import type { HardeningPolicy, OverLimit } from './policy';

export interface Bound {
  what: string;
  path: string;
  default: number;
  max?: number;
  overLimit: OverLimit;
}

/** The value to run with; a refusal is logged and the request returned unchanged. */
export function bounded(requested: number | undefined, bound: Bound, log: DecisionLog): number {
  if (requested === undefined || !(requested > 0)) {
    const was = requested === undefined ? 'none was set' : `${requested} means unlimited`;
    log.record(requested === undefined ? 'added' : 'changed', bound.what, `${was}: the partition's default ${bound.default} applies`, bound.path);
    return bound.default;
  }
  if (bound.max !== undefined && requested > bound.max) {
    if (bound.overLimit === 'refuse') {
      log.refuse(bound.what, `${requested} is above the partition's maximum ${bound.max}`, bound.path);
      return requested;
    }
    log.record('changed', bound.what, `${requested} clamped to the partition's maximum ${bound.max}`, bound.path);
    return bound.max;
  }
  return requested;
}

export function hardenResources(resources: OciResources | undefined, policy: HardeningPolicy, log: DecisionLog): OciResources {
  const l = policy.limits;
  const pids = bounded(
    resources?.pids?.limit,
    { what: 'pids limit', path: 'linux.resources.pids.limit', default: l.pidsDefault, max: l.pidsMax, overLimit: l.overLimit },
    log,
  );
  const memory = bounded(
    resources?.memory?.limit,
    { what: 'memory limit', path: 'linux.resources.memory.limit', default: l.memoryDefaultBytes, max: l.memoryMaxBytes, overLimit: l.overLimit },
    log,
  );
  const result: OciResources = {
    ...resources,
    pids: { ...resources?.pids, limit: pids },
    memory: { ...resources?.memory, limit: memory },
  };
  // runc refuses a memory+swap limit below the memory limit.
  const swap = resources?.memory?.swap;
  if (swap !== undefined && swap > 0 && swap < memory) {
    log.record('changed', 'memory+swap limit', `raised to the memory limit ${memory}`, 'linux.resources.memory.swap');
    result.memory = { ...result.memory, swap: memory };
  }
  return result;
}
