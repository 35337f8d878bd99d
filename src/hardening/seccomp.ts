/**
 * The seccomp filter a container runs with.
 *
 * No profile, or one that allows by default: ours. A requested allowlist is kept but
 * rewritten: the always-denied calls are taken out of every permissive rule (not
 * overridden by a later errno rule: runc hands each rule to libseccomp, which refuses or
 * merges conflicting rules for one syscall in ways its own maintainers call unspecified;
 * with them gone the default action, never permissive, decides), clone/clone3/personality
 * get our argument rules when the request let them run, and only the native
 * architecture stays.
 */
import type { DecisionLog } from './decisions';
import type { OciSeccomp, OciSyscallRule } from './oci-spec';
import type { HardeningPolicy } from './policy';
import {
  allowedSyscalls,
  alwaysDeniedSyscalls,
  argumentRuled,
  argumentRules,
  nativeArchitecture,
  permissiveActions,
} from './seccomp-profile';

const EPERM = 1;
const path = 'linux.seccomp';

/** Our profile for a container granted `capabilities` (chroot comes with CAP_SYS_CHROOT). */
export function defaultSeccompProfile(policy: HardeningPolicy, capabilities: ReadonlySet<string>): OciSeccomp {
  const names = [...allowedSyscalls];
  if (capabilities.has('CAP_SYS_CHROOT')) names.push('chroot');
  if (policy.allowPtrace) names.push('ptrace');
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: EPERM,
    architectures: [nativeArchitecture(policy.arch)],
    syscalls: [{ names: names.sort(), action: 'SCMP_ACT_ALLOW' }, ...argumentRules()],
  };
}

/**
 * `unconfinedByOptIn`: the container holds privileged capabilities by the partition's
 * opt-in and asked for no filter; our profile would take back what the opt-in granted.
 */
export function hardenSeccomp(
  requested: OciSeccomp | undefined,
  policy: HardeningPolicy,
  capabilities: ReadonlySet<string>,
  unconfinedByOptIn: boolean,
  log: DecisionLog,
): OciSeccomp | undefined {
  if (requested === undefined) {
    if (unconfinedByOptIn && log.privileged('unconfined seccomp', 'no seccomp filter for a privileged container', path)) {
      return undefined;
    }
    log.record('added', 'seccomp profile', 'the request has none: the default allowlist applies', path);
    return defaultSeccompProfile(policy, capabilities);
  }
  if (permissiveActions.has(requested.defaultAction)) {
    log.record('changed', 'seccomp profile', `the requested profile's default action ${requested.defaultAction} is weaker than the default allowlist`, path);
    return defaultSeccompProfile(policy, capabilities);
  }
  return rewriteRequested(requested, policy, log);
}

function rewriteRequested(requested: OciSeccomp, policy: HardeningPolicy, log: DecisionLog): OciSeccomp {
  const result: OciSeccomp = { ...requested };
  const native = nativeArchitecture(policy.arch);
  if (JSON.stringify(requested.architectures ?? []) !== JSON.stringify([native])) {
    log.record('changed', 'seccomp architectures', `only the native syscall table ${native} stays open`, `${path}.architectures`);
    result.architectures = [native];
  }
  if (requested.flags?.includes('SECCOMP_FILTER_FLAG_SPEC_ALLOW')) {
    log.record('removed', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', 'it turns off the speculative store bypass mitigation', `${path}.flags`);
    result.flags = requested.flags.filter((f) => f !== 'SECCOMP_FILTER_FLAG_SPEC_ALLOW');
  }
  if (requested.listenerPath !== undefined && !log.privileged('seccomp listenerPath', `hands syscall decisions to a host agent at ${requested.listenerPath}`, `${path}.listenerPath`)) {
    delete result.listenerPath;
    delete result.listenerMetadata;
  }

  const syscalls: OciSyscallRule[] = [];
  const removed = new Set<string>();
  const permittedSpecial = new Set<string>();
  for (const rule of requested.syscalls ?? []) {
    const permissive = permissiveActions.has(rule.action);
    const names = rule.names.filter((name) => {
      if (argumentRuled.has(name)) {
        if (!permissive) return true;
        permittedSpecial.add(name);
        return false;
      }
      if (permissive && alwaysDeniedSyscalls.has(name)) {
        removed.add(name);
        return false;
      }
      return true;
    });
    if (names.length > 0) syscalls.push({ ...rule, names });
  }
  if (removed.size > 0) {
    log.record('removed', [...removed].sort().join(', '), 'always denied, whatever the requested profile allows', `${path}.syscalls`);
  }
  if (permittedSpecial.size > 0) {
    // A requested deny rule for one of these would conflict with our allow rule.
    // glibc falls back from clone3 to clone only on ENOSYS: a permitted clone brings our
    // clone3 rule unless the request decided clone3 itself.
    const clone3Decided = syscalls.some((r) => r.names.includes('clone3'));
    const wanted = (name: string): boolean =>
      permittedSpecial.has(name) || (name === 'clone3' && permittedSpecial.has('clone') && !clone3Decided);
    const ours = argumentRules().filter((r) => wanted(r.names[0]));
    const special = new Set(ours.map((r) => r.names[0]));
    const kept = syscalls
      .map((r) => ({ ...r, names: r.names.filter((n) => !special.has(n)) }))
      .filter((r) => r.names.length > 0);
    syscalls.length = 0;
    syscalls.push(...kept, ...ours);
    log.record(
      'changed',
      [...special].sort().join(', '),
      'replaced by argument rules: clone without namespace flags, clone3 answers ENOSYS, personality only its safe values',
      `${path}.syscalls`,
    );
  }
  result.syscalls = syscalls;
  return result;
}
