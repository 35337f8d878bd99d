/**
 * What this host and this OCI runtime cannot do, applied to a spec before the runtime
 * sees it, so a request the host refuses is adjusted (and logged) instead of failing
 * the container. Pure.
 *
 * - oom_score_adj: without CAP_SYS_RESOURCE a process may only raise its score, never go
 *   below its own. CRI asks -998 for every pause container; on such hosts (these machines
 *   run the shim without CAP_SYS_RESOURCE) runc would fail the pod.
 * - rlimits: raising a hard limit above the one the runtime inherited takes
 *   CAP_SYS_RESOURCE in the host's user namespace, which a container in its own user
 *   namespace never has (and these machines' shim neither): runc fails the container
 *   ("error setting rlimit"), so such requests are lowered to the shim's own.
 * - ociVersion: crun 1.8 refuses a spec whose version is newer than the ones it knows
 *   ("unknown version specified"); containerd 1.7/2.x write 1.1/1.2. The fields it does not
 *   know it ignores either way, so the declared version is lowered to the runtime's.
 */
export interface HostFacts {
  /** lowest oom_score_adj a container may ask for here (-1000 with CAP_SYS_RESOURCE) */
  oomScoreAdjFloor: number;
  /** newest spec version the runtime accepts, when it enforces one */
  runtimeSpecVersion?: string;
  /** the shim's own hard limits by RLIMIT_* name (absent: unlimited) */
  rlimitHard?: Record<string, number>;
  /** whether the runtime may raise hard limits (CAP_SYS_RESOURCE) */
  canRaiseRlimits?: boolean;
}

export interface CompatResult<S> {
  spec: S;
  changes: string[];
}

interface SpecFields {
  ociVersion?: string;
  process?: { oomScoreAdj?: number; rlimits?: Array<{ type: string; soft: number; hard: number }>; [key: string]: unknown };
  linux?: { namespaces?: Array<{ type: string }>; [key: string]: unknown };
  [key: string]: unknown;
}

export function adjustForHost<S extends SpecFields>(spec: S, host: HostFacts): CompatResult<S> {
  const changes: string[] = [];
  let out: S = spec;
  const adj = spec.process?.oomScoreAdj;
  if (typeof adj === 'number' && adj < host.oomScoreAdjFloor) {
    out = { ...out, process: { ...out.process, oomScoreAdj: host.oomScoreAdjFloor } };
    changes.push(`process.oomScoreAdj ${adj} raised to ${host.oomScoreAdjFloor}: this host does not allow lowering it (no CAP_SYS_RESOURCE)`);
  }
  const inUserNamespace = spec.linux?.namespaces?.some((ns) => ns.type === 'user') ?? false;
  if (out.process) {
    const process = capRlimits(out.process, host, inUserNamespace, changes);
    if (process !== out.process) out = { ...out, process };
  }
  if (host.runtimeSpecVersion && spec.ociVersion && newerMinor(spec.ociVersion, host.runtimeSpecVersion)) {
    out = { ...out, ociVersion: host.runtimeSpecVersion };
    changes.push(`ociVersion ${spec.ociVersion} lowered to ${host.runtimeSpecVersion}, the newest the OCI runtime accepts`);
  }
  return { spec: out, changes };
}

/** Whether a's major.minor is newer than b's (patch and pre-release suffixes do not matter to runtimes). */
function newerMinor(a: string, b: string): boolean {
  const [aMajor, aMinor] = a.split(/[.-]/).map(Number);
  const [bMajor, bMinor] = b.split(/[.-]/).map(Number);
  if ([aMajor, aMinor, bMajor, bMinor].some(Number.isNaN)) return false;
  return aMajor > bMajor || (aMajor === bMajor && aMinor > bMinor);
}

type Rlimited = { rlimits?: Array<{ type: string; soft: number; hard: number }>; [key: string]: unknown };

/** The process (a container's or an exec's) with its hard limits lowered to what can be set here. */
export function capRlimits<P extends Rlimited>(process: P, host: HostFacts, inUserNamespace: boolean, changes: string[]): P {
  const rlimits = process.rlimits;
  if (!(inUserNamespace || !host.canRaiseRlimits) || !rlimits || !host.rlimitHard) return process;
  let changed = false;
  const limited = rlimits.map((r) => {
    const cap = host.rlimitHard?.[r.type];
    if (cap === undefined || r.hard <= cap) return r;
    changed = true;
    changes.push(`${r.type} ${r.soft}/${r.hard} lowered to ${Math.min(r.soft, cap)}/${cap}: nothing here may raise a hard limit above the runtime's (no CAP_SYS_RESOURCE)`);
    return { ...r, soft: Math.min(r.soft, cap), hard: cap };
  });
  return changed ? { ...process, rlimits: limited } : process;
}
