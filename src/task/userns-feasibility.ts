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
 *   made before the pause container): runc 1.1 joins the user namespace first, then
 *   setns(net) fails with EPERM (run and exec); runc >= 1.2 joins the others first
 *   (nsexec.c join_namespaces), and so does crun. From inside, mounting its /sys fails
 *   with EPERM (the kernel wants CAP_SYS_ADMIN over the user namespace owning the network
 *   namespace) and writing a net.* sysctl with EACCES, and containerd 2.x sets
 *   net.ipv4.ip_unprivileged_port_start on every pause container: the shim does both from
 *   the host's side instead (a sysfs of the pod's network namespace staged for its
 *   containers to bind, the sysctls written before create). So a sandbox whose only
 *   foreign namespace is its network namespace keeps the pod's user namespace when the
 *   runtime joins first, and its app containers join it there.
 */

export interface SandboxView {
  /** the sandbox runs in the user namespace this shim made for the pod (on the pod's range) */
  inPodUserNamespace: boolean;
  /** the namespace types whose joined path is the sandbox's own namespace (compared by inode) */
  own: readonly string[];
  /** the pod's network namespace is the host's user namespace's, and the shim serves its /sys and sysctls */
  hostSideNetwork?: boolean;
}

export interface FeasibilityInput {
  isSandbox: boolean;
  /** the namespace types the spec joins by path; a requested user namespace path is left to the grant */
  joined: readonly string[];
  /** the pod's sandbox as this shim serves it; absent when it does not */
  sandbox?: SandboxView;
  /** the OCI runtime joins namespaces given by path before it enters the user namespace (runc >= 1.2) */
  runtimeJoinsFirst?: boolean;
}

export type Feasibility =
  /**
   * `joinSandbox`: join the sandbox's user namespace rather than make a new one.
   * `hostSideNetwork`: the container joins a network namespace the host's user namespace
   * owns; its /sys and net.* sysctls are the shim's to provide from the host's side.
   */
  | { keep: true; joinSandbox: boolean; hostSideNetwork: boolean }
  /** `why`: the reason alone; the hardening audit says what follows from it */
  | { keep: false; why: string };

export function usernsFeasibility(input: FeasibilityInput): Feasibility {
  const joined = [...new Set(input.joined.filter((type) => type !== 'user'))].sort();
  if (joined.length === 0) return { keep: true, joinSandbox: false, hostSideNetwork: false };
  const list = joined.join(', ');
  const joinsFirst = input.runtimeJoinsFirst ?? false;
  if (input.isSandbox) {
    if (joined.length === 1 && joined[0] === 'network' && joinsFirst) return { keep: true, joinSandbox: false, hostSideNetwork: true };
    return {
      keep: false,
      why:
        `joins namespaces made outside the pod's user namespace (${list}; CRI's network namespace is the host's): ` +
        (joined.length === 1 && joined[0] === 'network'
          ? 'the OCI runtime enters a new user namespace before joining them (runc < 1.2), and then cannot join them for it or an exec (EPERM), ' +
            'nor mount their /sys (EPERM) or write their net.* sysctls (EACCES)'
          : 'only a network namespace is served from the host\'s side; from a new user namespace no runtime can mount its /sys (EPERM) ' +
            'nor write its net.* sysctls (EACCES)'),
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
  const hostSideNetwork = (input.sandbox.hostSideNetwork ?? false) && joined.includes('network');
  if (hostSideNetwork && !joinsFirst) {
    return {
      keep: false,
      why: "joins its pod's network namespace, which the host's user namespace owns, and the OCI runtime enters the user namespace before joining it (runc < 1.2: EPERM)",
    };
  }
  return { keep: true, joinSandbox: true, hostSideNetwork };
}
