/**
 * Namespaces: pid, ipc, uts, mount, network and cgroup are the container's own, or its
 * pod's. A `path` is a request to join an existing namespace; it is allowed only when it
 * is the pod sandbox's namespace of that type, as the caller passes in
 * `context.podNamespaces` (CRI's app containers join the pause container's
 * /proc/<pid>/ns/*, or the CNI netns file). Any other path, or leaving a type out (how
 * OCI says "share the host's"), is a host namespace request. Only cgroup is added
 * quietly: containerd's cgroup v1 default spec leaves it out without meaning anything.
 *
 * The user namespace is the caller's grant: a fresh one with the pod's allocated range,
 * or the pod's existing one to join. Its mappings are written into the spec even when
 * joining, since runc 1.1 needs them to find the host uid of container root. When the
 * caller withholds the grant (it cannot work for this container), the request's own user
 * namespace, if it brought one, stays as it asked; the audit says which of the two it is.
 */
import { FailedPreconditionError } from '../errors';
import type { DecisionLog } from './decisions';
import type { NamespaceType, OciIdMapping, OciLinux, OciNamespace } from './oci-spec';
import { hostUserNamespaceOptInKey, type HardeningPolicy } from './policy';

export interface UserNamespaceGrant {
  uidMappings: OciIdMapping[];
  gidMappings: OciIdMapping[];
  /** the pod's user namespace to join; absent: a new one with these mappings */
  path?: string;
}

export interface NamespaceContext {
  containerId: string;
  podId?: string;
  podNamespaces?: Partial<Record<NamespaceType, string>>;
  userNamespace?: UserNamespaceGrant;
  /** why no grant is given although the policy wants one (the caller found it infeasible) */
  userNamespaceWithheld?: string;
}

const privateTypes: readonly NamespaceType[] = ['pid', 'ipc', 'uts', 'mount', 'network', 'cgroup'];
const path = 'linux.namespaces';

type NamespaceFields = Pick<OciLinux, 'namespaces' | 'uidMappings' | 'gidMappings'>;

/**
 * `hostUsers`: a privileged container let through by the opt-in runs in the host's user
 * namespace, where its capabilities and devices mean what it asked for.
 */
export function hardenNamespaces(
  linux: NamespaceFields,
  policy: HardeningPolicy,
  context: NamespaceContext,
  hostUsers: boolean,
  log: DecisionLog,
): NamespaceFields {
  const pod = context.podNamespaces ?? {};
  const namespaces: OciNamespace[] = [];
  for (const ns of linux.namespaces ?? []) {
    if (ns.type === 'user') continue;
    if (ns.path === undefined || pod[ns.type as NamespaceType] === ns.path) {
      namespaces.push(ns);
    } else if (log.privileged(`${ns.type} namespace ${ns.path}`, 'joins a namespace that is not its pod\'s', path)) {
      namespaces.push(ns);
    }
  }
  for (const type of privateTypes) {
    if (namespaces.some((ns) => ns.type === type) || (linux.namespaces ?? []).some((ns) => ns.type === type)) continue;
    if (type === 'cgroup') {
      namespaces.push({ type });
      log.record('added', 'cgroup namespace', 'the container sees only its own cgroup', path);
    } else {
      log.privileged(`host ${type} namespace`, `the request shares the host's ${type} namespace`, path);
    }
  }
  return { ...userNamespace(linux, policy, context, hostUsers, log), namespaces: [...namespaces, ...userEntry(linux, context, hostUsers)] };
}

function userNamespace(
  linux: NamespaceFields,
  policy: HardeningPolicy,
  context: NamespaceContext,
  hostUsers: boolean,
  log: DecisionLog,
): Pick<OciLinux, 'uidMappings' | 'gidMappings'> {
  const requested = (linux.namespaces ?? []).find((ns) => ns.type === 'user');
  const grant = context.userNamespace;
  if (hostUsers) {
    log.privileged('host user namespace', 'a privileged container runs as host root', path);
    return { uidMappings: linux.uidMappings, gidMappings: linux.gidMappings };
  }
  if (grant === undefined) {
    if (policy.requireUserNamespace) {
      throw new FailedPreconditionError(
        `no user-namespace range was allocated for ${context.podId !== undefined ? `pod ${context.podId}` : `container ${context.containerId}`}; ` +
          'containers run only in a user namespace here (hardening.require_user_namespace)',
      );
    }
    if (context.userNamespaceWithheld !== undefined) {
      const own = requested === undefined ? undefined : describeRequested(requested, linux);
      if (own === undefined && policy.allowHostUserNamespace) {
        log.record('removed', 'user namespace', `${context.userNamespaceWithheld}: runs in the host's (${hostUserNamespaceOptInKey})`, path);
      } else if (own === undefined) {
        log.refuse(
          'user namespace',
          `${context.userNamespaceWithheld}, so it cannot run in a user namespace of its own: use an OCI runtime that joins ` +
            `namespaces before the user namespace (runc >= 1.2 or crun, [runtime] binary), or set ${hostUserNamespaceOptInKey} = true ` +
            'to run such pods in the host\'s user namespace',
          path,
        );
      } else {
        log.record(
          'removed',
          'user-namespace range',
          `${context.userNamespaceWithheld}: keeps the user namespace it asked for (${own}), not a range from this host's pool`,
          path,
        );
      }
    }
    return { uidMappings: linux.uidMappings, gidMappings: linux.gidMappings };
  }
  checkGrant(grant, context);
  if (requested?.path !== undefined && requested.path !== grant.path) {
    log.record('changed', `user namespace ${requested.path}`, 'a container joins only its pod\'s user namespace', path);
  }
  const same = JSON.stringify([linux.uidMappings, linux.gidMappings]) === JSON.stringify([grant.uidMappings, grant.gidMappings]);
  if (!same) {
    const had = linux.uidMappings !== undefined || linux.gidMappings !== undefined;
    log.record(
      had ? 'changed' : 'added',
      'user namespace mappings',
      `container ids map to the pod's allocated host range (uid ${grant.uidMappings[0].hostID}, ${grant.uidMappings[0].size} ids)`,
      'linux.uidMappings',
    );
  }
  return { uidMappings: grant.uidMappings, gidMappings: grant.gidMappings };
}

function userEntry(linux: NamespaceFields, context: NamespaceContext, hostUsers: boolean): OciNamespace[] {
  if (hostUsers) return (linux.namespaces ?? []).filter((ns) => ns.type === 'user');
  const grant = context.userNamespace;
  if (grant === undefined) return (linux.namespaces ?? []).filter((ns) => ns.type === 'user');
  return [grant.path === undefined ? { type: 'user' } : { type: 'user', path: grant.path }];
}

/** The user namespace a request brought: the one it joins, or the mapping of the one it asks for. */
function describeRequested(requested: OciNamespace, linux: NamespaceFields): string {
  if (requested.path !== undefined) return `path ${requested.path}`;
  const uid = linux.uidMappings?.[0];
  return uid === undefined ? 'a new one, without mappings' : `a new one, uid ${uid.containerID} at host ${uid.hostID}, ${uid.size} ids`;
}

/** A grant that maps anything onto host root is an allocator bug, never a sandbox. */
function checkGrant(grant: UserNamespaceGrant, context: NamespaceContext): void {
  for (const [kind, mappings] of [['uid', grant.uidMappings], ['gid', grant.gidMappings]] as const) {
    if (mappings.length === 0) throw new FailedPreconditionError(`user namespace grant for ${context.containerId} has no ${kind} mappings`);
    for (const m of mappings) {
      if (m.hostID <= 0 && m.hostID + m.size > 0) {
        throw new FailedPreconditionError(`user namespace grant for ${context.containerId} maps ${kind} ${m.containerID - m.hostID} onto host ${kind} 0`);
      }
    }
  }
}
