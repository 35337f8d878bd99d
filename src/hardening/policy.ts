/**
 * A partition's hardening policy: the knobs an operator may turn, strict by default.
 *
 * TOML shape (a `[hardening]` table in the runtime options' config; keys snake_case):
 *
 *   [hardening]
 *   allow_privileged = false          # the per-partition opt-in for privileged requests
 *   require_user_namespace = true     # refuse to run a container without an allocated range
 *   allow_host_user_namespace = false # the opt-in for pods the OCI runtime cannot give a user namespace
 *   arch = "x86_64"                   # or "aarch64"; the caller's default is the host's
 *   allow_ptrace = false              # adds ptrace to our seccomp profile (kernel >= 4.8)
 *   allowed_capabilities = []         # beyond the default set, e.g. ["CAP_SYS_CHROOT"]
 *   allowed_sysctls = []              # namespaced extras, e.g. ["kernel.shm_rmid_forced", "fs.mqueue.*"]
 *   over_limit = "clamp"              # or "refuse": a request above a maximum
 *
 *   [hardening.limits]
 *   pids_default = 1024
 *   pids_max = 32768
 *   memory_default_bytes = 1073741824
 *   memory_max_bytes = 17179869184    # omit for no maximum
 *   shm_default_bytes = 67108864
 *   shm_max_bytes = 1073741824
 *
 *   [hardening.rlimits]               # [soft, hard]; the hard value is also the cap
 *   RLIMIT_NOFILE = [1024, 65536]
 *   RLIMIT_CORE = [0, 0]
 *
 * Pure: validateHardeningPolicy only reads its argument.
 */
import { InvalidArgumentError } from '../errors';
import { forbiddenCapabilities, knownCapabilities } from './capability-sets';
import { namespacedSysctl } from './sysctl-sets';

export type SeccompArch = 'x86_64' | 'aarch64';
export type OverLimit = 'clamp' | 'refuse';

export interface RlimitCap {
  soft: number;
  hard: number;
}

export interface HardeningPolicy {
  /** Lets privileged requests through, each recorded as 'allowed-by-opt-in'. TOML: allow_privileged. */
  allowPrivileged: boolean;
  /** With no user-namespace grant in the context, refuse (true) or run in the host's (false). */
  requireUserNamespace: boolean;
  /**
   * A container the OCI runtime cannot put in its pod's user namespace (the caller says why,
   * e.g. runc 1.1 and CRI's host-owned network namespace) runs in the host's (true) or is
   * refused naming what is missing (false). TOML: allow_host_user_namespace.
   */
  allowHostUserNamespace: boolean;
  /** The native syscall table; the only one our seccomp profiles leave open. */
  arch: SeccompArch;
  allowPtrace: boolean;
  /** Capabilities granted on request beyond the default set; never a forbidden one. */
  allowedCapabilities: string[];
  /** Extra namespaced sysctls (exact names or a `prefix.*`) beyond the safe set. */
  allowedSysctls: string[];
  limits: {
    pidsDefault: number;
    pidsMax: number;
    memoryDefaultBytes: number;
    /** undefined: no maximum */
    memoryMaxBytes?: number;
    shmDefaultBytes: number;
    shmMaxBytes: number;
    overLimit: OverLimit;
  };
  /** Present in every process; a request above `hard` is capped. Keys are RLIMIT_* names. */
  rlimits: Record<string, RlimitCap>;
}

/** The config key an operator sets to let privileged requests through; named in every refusal. */
export const privilegedOptInKey = 'hardening.allow_privileged';

/** The config key that lets pods without a user namespace of their own run in the host's. */
export const hostUserNamespaceOptInKey = 'hardening.allow_host_user_namespace';

const MiB = 1024 * 1024;

export function defaultHardeningPolicy(arch: SeccompArch = 'x86_64'): HardeningPolicy {
  return {
    allowPrivileged: false,
    requireUserNamespace: true,
    allowHostUserNamespace: false,
    arch,
    allowPtrace: false,
    allowedCapabilities: [],
    allowedSysctls: [],
    limits: {
      pidsDefault: 1024,
      pidsMax: 32768,
      memoryDefaultBytes: 1024 * MiB,
      shmDefaultBytes: 64 * MiB,
      shmMaxBytes: 1024 * MiB,
      overLimit: 'clamp',
    },
    rlimits: {
      RLIMIT_NOFILE: { soft: 1024, hard: 65536 },
      // A core dump is handed to the host's core_pattern helper; none leave the sandbox.
      RLIMIT_CORE: { soft: 0, hard: 0 },
    },
  };
}

const rlimitNames = new Set([
  'RLIMIT_AS', 'RLIMIT_CORE', 'RLIMIT_CPU', 'RLIMIT_DATA', 'RLIMIT_FSIZE', 'RLIMIT_LOCKS', 'RLIMIT_MEMLOCK',
  'RLIMIT_MSGQUEUE', 'RLIMIT_NICE', 'RLIMIT_NOFILE', 'RLIMIT_NPROC', 'RLIMIT_RSS', 'RLIMIT_RTPRIO',
  'RLIMIT_RTTIME', 'RLIMIT_SIGPENDING', 'RLIMIT_STACK',
]);

/** Throws InvalidArgumentError naming the TOML key of the first bad value. */
export function validateHardeningPolicy(policy: HardeningPolicy, source = 'config'): void {
  const fail = (key: string, why: string): never => {
    throw new InvalidArgumentError(`${source}: hardening.${key}: ${why}`);
  };
  if (policy.arch !== 'x86_64' && policy.arch !== 'aarch64') fail('arch', `must be x86_64 or aarch64, got ${JSON.stringify(policy.arch)}`);
  for (const cap of policy.allowedCapabilities) {
    if (!knownCapabilities.has(cap)) fail('allowed_capabilities', `unknown capability ${JSON.stringify(cap)} (use the CAP_ form)`);
    if (forbiddenCapabilities.has(cap)) {
      fail('allowed_capabilities', `${cap} is never granted by this list; only ${privilegedOptInKey} lets it through`);
    }
  }
  for (const name of policy.allowedSysctls) {
    // A pattern is namespaced when its prefix is: "fs.mqueue.*" yes, "kernel.*" no.
    if (!namespacedSysctl(name.endsWith('.*') ? name.slice(0, -1) : name)) {
      fail('allowed_sysctls', `${JSON.stringify(name)} is not a namespaced sysctl (net.*, kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*)`);
    }
  }
  const l = policy.limits;
  const positive = (key: string, v: number | undefined): void => {
    if (v !== undefined && !(Number.isSafeInteger(v) && v > 0)) fail(`limits.${key}`, `must be a positive integer, got ${v}`);
  };
  positive('pids_default', l.pidsDefault);
  positive('pids_max', l.pidsMax);
  positive('memory_default_bytes', l.memoryDefaultBytes);
  positive('memory_max_bytes', l.memoryMaxBytes);
  positive('shm_default_bytes', l.shmDefaultBytes);
  positive('shm_max_bytes', l.shmMaxBytes);
  if (l.pidsDefault > l.pidsMax) fail('limits.pids_default', `exceeds pids_max (${l.pidsMax})`);
  if (l.memoryMaxBytes !== undefined && l.memoryDefaultBytes > l.memoryMaxBytes) {
    fail('limits.memory_default_bytes', `exceeds memory_max_bytes (${l.memoryMaxBytes})`);
  }
  if (l.shmDefaultBytes > l.shmMaxBytes) fail('limits.shm_default_bytes', `exceeds shm_max_bytes (${l.shmMaxBytes})`);
  if (l.overLimit !== 'clamp' && l.overLimit !== 'refuse') fail('over_limit', `must be clamp or refuse, got ${JSON.stringify(l.overLimit)}`);
  for (const [name, cap] of Object.entries(policy.rlimits)) {
    if (!rlimitNames.has(name)) fail(`rlimits.${name}`, 'unknown rlimit');
    const ok = (v: number): boolean => Number.isSafeInteger(v) && v >= 0;
    if (!ok(cap.soft) || !ok(cap.hard) || cap.soft > cap.hard) {
      fail(`rlimits.${name}`, `must be [soft, hard] with 0 <= soft <= hard, got [${cap.soft}, ${cap.hard}]`);
    }
  }
}
