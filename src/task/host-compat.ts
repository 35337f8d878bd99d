/**
 * What this host and this OCI runtime cannot do, applied to a spec before the runtime
 * sees it, so a request the host refuses is adjusted (and logged) instead of failing
 * the container. Pure.
 *
 * - oom_score_adj: without CAP_SYS_RESOURCE a process may only raise its score, never go
 *   below its own. CRI asks -998 for every pause container; on such hosts (these machines
 *   run the shim without CAP_SYS_RESOURCE) runc would fail the pod.
 * - ociVersion: crun 1.8 refuses a spec whose version is newer than the ones it knows
 *   ("unknown version specified"); containerd 1.7/2.x write 1.1/1.2. The fields it does not
 *   know it ignores either way, so the declared version is lowered to the runtime's.
 */
export interface HostFacts {
  /** lowest oom_score_adj a container may ask for here (-1000 with CAP_SYS_RESOURCE) */
  oomScoreAdjFloor: number;
  /** newest spec version the runtime accepts, when it enforces one */
  runtimeSpecVersion?: string;
}

export interface CompatResult<S> {
  spec: S;
  changes: string[];
}

interface SpecFields {
  ociVersion?: string;
  process?: { oomScoreAdj?: number; [key: string]: unknown };
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
