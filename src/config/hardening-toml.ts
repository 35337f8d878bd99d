/**
 * The `[hardening]` table of the shim config -> the partition's HardeningPolicy
 * (src/hardening/policy.ts documents every key). Starts from the strict defaults;
 * unknown keys and bad values are refused naming the key. Pure.
 */
import { InvalidArgumentError } from '../errors';
import { defaultHardeningPolicy, validateHardeningPolicy, type HardeningPolicy, type SeccompArch } from '../hardening/policy';
import type { TomlTable, TomlValue } from './toml';

export function hostArch(): SeccompArch {
  return process.arch === 'arm64' ? 'aarch64' : 'x86_64';
}

export function hardeningFromToml(table: TomlTable | undefined, source: string, arch: SeccompArch = hostArch()): HardeningPolicy {
  const policy = defaultHardeningPolicy(arch);
  if (!table) return policy;
  const fail = (key: string, why: string): never => {
    throw new InvalidArgumentError(`${source}: hardening.${key}: ${why}`);
  };
  const bool = (v: TomlValue, key: string): boolean => (typeof v === 'boolean' ? v : fail(key, 'must be true or false'));
  const int = (v: TomlValue, key: string): number => (typeof v === 'number' ? v : fail(key, 'must be an integer'));
  const strings = (v: TomlValue, key: string): string[] =>
    Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v as string[]) : fail(key, 'must be a list of strings');
  const sub = (v: TomlValue, key: string): TomlTable => (typeof v === 'object' && !Array.isArray(v) ? v : fail(key, 'must be a table'));

  for (const [key, value] of Object.entries(table)) {
    switch (key) {
      case 'allow_privileged': policy.allowPrivileged = bool(value, key); break;
      case 'require_user_namespace': policy.requireUserNamespace = bool(value, key); break;
      case 'allow_host_user_namespace': policy.allowHostUserNamespace = bool(value, key); break;
      case 'arch': policy.arch = (typeof value === 'string' ? value : fail(key, 'must be a string')) as SeccompArch; break;
      case 'allow_ptrace': policy.allowPtrace = bool(value, key); break;
      case 'allowed_capabilities': policy.allowedCapabilities = strings(value, key); break;
      case 'allowed_sysctls': policy.allowedSysctls = strings(value, key); break;
      case 'over_limit': policy.limits.overLimit = (typeof value === 'string' ? value : fail(key, 'must be a string')) as 'clamp' | 'refuse'; break;
      case 'limits':
        for (const [k, v] of Object.entries(sub(value, key))) {
          const name = `limits.${k}`;
          switch (k) {
            case 'pids_default': policy.limits.pidsDefault = int(v, name); break;
            case 'pids_max': policy.limits.pidsMax = int(v, name); break;
            case 'memory_default_bytes': policy.limits.memoryDefaultBytes = int(v, name); break;
            case 'memory_max_bytes': policy.limits.memoryMaxBytes = int(v, name); break;
            case 'shm_default_bytes': policy.limits.shmDefaultBytes = int(v, name); break;
            case 'shm_max_bytes': policy.limits.shmMaxBytes = int(v, name); break;
            default: fail(name, 'unknown key');
          }
        }
        break;
      case 'rlimits':
        for (const [k, v] of Object.entries(sub(value, key))) {
          const pair = Array.isArray(v) && v.length === 2 && v.every((n) => typeof n === 'number') ? (v as number[]) : fail(`rlimits.${k}`, 'must be [soft, hard]');
          policy.rlimits[k] = { soft: pair[0], hard: pair[1] };
        }
        break;
      default:
        fail(key, 'unknown key');
    }
  }
  validateHardeningPolicy(policy, source);
  return policy;
}
