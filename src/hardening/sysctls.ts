/**
 * Sysctls: the safe set, and net.* and the partition's allowed extras when the
 * container has its own namespace of that kind (a write then lands in it, not the
 * host's). Everything else is a host-wide knob: refused.
 */
import type { DecisionLog } from './decisions';
import type { OciNamespace } from './oci-spec';
import type { HardeningPolicy } from './policy';
import { safeSysctls, sysctlNamespace } from './sysctl-sets';

export function hardenSysctls(
  sysctls: Record<string, string>,
  namespaces: readonly OciNamespace[],
  podNamespaces: Readonly<Record<string, string | undefined>>,
  policy: HardeningPolicy,
  log: DecisionLog,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name of Object.keys(sysctls).sort()) {
    if (allowed(name, namespaces, podNamespaces, policy)) {
      result[name] = sysctls[name];
    } else if (log.privileged(`sysctl ${name}`, 'not a namespaced sysctl this partition allows', 'linux.sysctl')) {
      result[name] = sysctls[name];
    }
  }
  return result;
}

function allowed(
  name: string,
  namespaces: readonly OciNamespace[],
  podNamespaces: Readonly<Record<string, string | undefined>>,
  policy: HardeningPolicy,
): boolean {
  const kind = sysctlNamespace(name);
  if (kind === undefined) return false;
  // Private, or the pod's: never the host's (a host namespace was refused or opted in).
  const own = namespaces.some((ns) => ns.type === kind && (ns.path === undefined || ns.path === podNamespaces[kind]));
  if (!own) return false;
  if (safeSysctls.has(name) || kind === 'network') return true;
  return policy.allowedSysctls.some((p) => (p.endsWith('.*') ? name.startsWith(p.slice(0, -1)) : name === p));
}
