/**
 * Whether a container can run in its pod's user namespace, from the namespaces it joins.
 * Pure: what needs the host (is the pod's sandbox in a user namespace this shim gave it,
 * which joined paths are that sandbox's own namespaces) is the caller's to find out.
 *
 * Measured on this host (kernel 6.18; runc 1.1.5, 1.1.15, 1.3.6; crun 1.8.1):
 * - A namespace made inside the pod's user namespace can be joined from it by every one of
 *   them, runc 1.1 included: the pod's sandbox, made with no namespace paths, owns all of
 *   its namespaces, and its app containers and execs join them there.
 * - A namespace owned by the host's user namespace (containerd's CNI network namespace,
 *   made before the pause container) cannot host the pod's user namespace with any of
 *   them. runc 1.1 joins the user namespace first, then setns(net) fails with EPERM (run
 *   and exec); runc >= 1.2 joins the others first (nsexec.c join_namespaces), but then
 *   mounting /sys fails with EPERM (the kernel wants CAP_SYS_ADMIN over the user namespace
 *   owning the network namespace) and writing a net.* sysctl fails with EACCES, and
 *   containerd 2.x sets net.ipv4.ip_unprivileged_port_start on every pause container.
 *   crun falls back to a bind mount of the host's /sys, which the hardening forbids.
 */

export interface SandboxView {
  /** the sandbox runs in the user namespace this shim made for the pod (on the pod's range) */
  inPodUserNamespace: boolean;
  /** the namespace types whose joined path is the sandbox's own namespace (compared by inode) */
  own: readonly string[];
}

export interface FeasibilityInput {
  isSandbox: boolean;
  /** the namespace types the spec joins by path; a requested user namespace path is left to the grant */
  joined: readonly string[];
  /** the pod's sandbox as this shim serves it; absent when it does not */
  sandbox?: SandboxView;
}

export type Feasibility =
  /** `joinSandbox`: join the sandbox's user namespace rather than make a new one */
  | { keep: true; joinSandbox: boolean }
  /** `why`: the reason alone; the hardening audit says what follows from it */
  | { keep: false; why: string };

export function usernsFeasibility(input: FeasibilityInput): Feasibility {
  const joined = [...new Set(input.joined.filter((type) => type !== 'user'))].sort();
  if (joined.length === 0) return { keep: true, joinSandbox: false };
  const list = joined.join(', ');
  if (input.isSandbox) {
    return {
      keep: false,
      why:
        `joins namespaces made outside the pod's user namespace (${list}; CRI's network namespace is the host's): ` +
        'from a new user namespace no runtime can mount its /sys (EPERM) nor write its net.* sysctls (EACCES), ' +
        'and runc 1.1 cannot even join them for an exec (EPERM)',
    };
  }
  if (input.sandbox === undefined) {
    return { keep: false, why: `joins namespaces (${list}) of a pod sandbox this shim does not serve` };
  }
  if (!input.sandbox.inPodUserNamespace) {
    return { keep: false, why: `joins its pod's namespaces (${list}), and the pod's sandbox runs in the host's user namespace` };
  }
  const foreign = joined.filter((type) => !input.sandbox!.own.includes(type));
  if (foreign.length > 0) {
    return { keep: false, why: `joins namespaces that are not its pod sandbox's (${foreign.join(', ')})` };
  }
  return { keep: true, joinSandbox: true };
}
