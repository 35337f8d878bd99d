/**
 * The process settings every container process gets, the init and each exec alike:
 * capabilities filtered, noNewPrivileges on, rlimits present and capped, and no working
 * directory inside /proc (CVE-2024-21626: runc leaked a host directory fd, and a cwd of
 * /proc/self/fd/<n> put the container on the host's filesystem).
 */
import { posix } from 'path';
import { hardenCapabilities } from './capabilities';
import type { DecisionLog } from './decisions';
import type { OciProcess, OciRlimit } from './oci-spec';
import type { HardeningPolicy } from './policy';

export function hardenProcess(process: OciProcess, policy: HardeningPolicy, log: DecisionLog, path: string): OciProcess {
  const result: OciProcess = {
    ...process,
    capabilities: hardenCapabilities(process.capabilities, policy, log, `${path}.capabilities`),
    rlimits: hardenRlimits(process.rlimits ?? [], policy, log, `${path}.rlimits`),
    noNewPrivileges: true,
  };
  if (process.noNewPrivileges !== true) {
    log.record('changed', 'noNewPrivileges', 'setuid binaries and file capabilities never raise privilege', `${path}.noNewPrivileges`);
  }
  const cwd = posix.normalize(process.cwd ?? '/');
  if (cwd === '/proc' || cwd.startsWith('/proc/')) {
    log.refuse(`working directory ${cwd}`, 'a cwd in /proc can reach a leaked host fd (CVE-2024-21626)', `${path}.cwd`);
  }
  return result;
}

function hardenRlimits(requested: readonly OciRlimit[], policy: HardeningPolicy, log: DecisionLog, path: string): OciRlimit[] {
  const result: OciRlimit[] = [];
  for (const r of requested) {
    const cap = policy.rlimits[r.type];
    if (cap === undefined || r.hard <= cap.hard) {
      result.push(r);
      continue;
    }
    log.record('changed', r.type, `hard limit ${r.hard} capped at ${cap.hard}`, path);
    result.push({ type: r.type, soft: Math.min(r.soft, cap.hard), hard: cap.hard });
  }
  for (const type of Object.keys(policy.rlimits).sort()) {
    if (requested.some((r) => r.type === type)) continue;
    const cap = policy.rlimits[type];
    log.record('added', type, `the partition's default ${cap.soft}/${cap.hard}`, path);
    result.push({ type, soft: cap.soft, hard: cap.hard });
  }
  return result;
}
