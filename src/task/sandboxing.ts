/**
 * Turns the spec containerd asked for into the spec that runs: the partition's hardening
 * policy applied, with the pod's user-namespace range and the pod's own namespaces as its
 * context, and every decision audited. Refusals are audited too, then thrown.
 */
import { statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { ShimConfig } from '../config/config';
import { InvalidArgumentError } from '../errors';
import { applyHardening, hardenExecProcess, HardeningRefusedError, hostSideNetwork, type Decision } from '../hardening';
import type { OciProcess, OciSpec as HardeningSpec } from '../hardening/oci-spec';
import type { OciSpec } from '../process/container';
import type { IdmapRequest } from '../process/ports';
import { placeContainer, PlacementRefusedError } from '../partitions/placement';
import { formatIdMappings, parseIdMapText, sameIdMappings } from '../sys/id-map-text';
import type { UsernsSys } from '../sys/userns-sys';
import { podNamespacePaths, podOf, type PodIdentity } from './pod-context';
import type { PodNetworkHost } from './pod-network-host';
import { usernsFeasibility, type Feasibility } from './userns-feasibility';

export interface IdRange {
  uidMappings: Array<{ containerID: number; hostID: number; size: number }>;
  gidMappings: Array<{ containerID: number; hostID: number; size: number }>;
}

/** The host-wide user-namespace range allocator, as the task layer uses it (src/userns). */
export interface UserNamespaceRanges {
  /** the pod's range, the requested one if the spec asked for one; held for `container` while it is created */
  allocate(pod: string, requested: IdRange | undefined, container: string): Promise<IdRange>;
  /** the container's init `pid` now keeps the pod's range live */
  hold(pod: string, container: string, pid: number): Promise<unknown>;
  release(pod: string): Promise<unknown>;
}

/**
 * The allocator's name for a pod: container ids are unique only within a containerd
 * namespace, and two namespaces' "web" must never share (or release) one range.
 */
export function rangeOwner(namespace: string, podId: string): string {
  return `${namespace}/${podId}`;
}

export interface AuditRecord extends Decision {
  container: string;
  pod: string;
}

export interface SandboxingDeps {
  ranges(config: ShimConfig): UserNamespaceRanges;
  audit(config: ShimConfig, records: AuditRecord[]): void;
  /** whether the OCI runtime joins namespaces given by path before a new user namespace (runc >= 1.2); absent: it does not */
  runtimeJoinsFirst?(binary: string): Promise<boolean>;
  /** the pods' network namespaces from the host's side; absent: a pod in a CNI network namespace runs in the host's user namespace */
  podNetwork?: PodNetworkHost;
  /** the real maps of a user namespace given by path; absent: a pinned namespace's stated mappings are trusted */
  userNamespaceMappings?: UsernsSys['userNamespaceMappings'];
}

export interface SandboxedSpec {
  spec: OciSpec;
  pod: PodIdentity;
  /** the rootfs to present to the container through an idmapped mount, when it runs in a user namespace */
  idmap?: IdmapRequest;
  /** the allocator's pod and container names, when the container runs on the pod's range: its init must hold it */
  range?: { pod: string; container: string };
}

/** Where idmapped rootfs views are mounted: a path the pod's unprivileged root can traverse. */
export const idmappedRootfsDir = '/run/metassembly/rootfs';

export interface SandboxInput {
  namespace: string;
  id: string;
  bundle: string;
  requested: OciSpec;
  config: ShimConfig;
  /** the init pid of the pod's sandbox, when this shim serves it */
  sandboxPid(podId: string): number | undefined;
  /** whether the pod's sandbox, served by this shim, runs in the user namespace it gave the pod; absent: it does not */
  sandboxInUserNamespace?(podId: string): boolean;
  /** the host's user namespace, which no container joins by path; default /proc/self/ns/user (the shim's) */
  hostUserNamespace?: string;
}

export async function sandboxSpec(deps: SandboxingDeps, input: SandboxInput): Promise<SandboxedSpec> {
  const { id, bundle, requested, config } = input;
  const pod = podOf(id, requested.annotations);
  const sandboxPid = pod.isSandbox ? undefined : input.sandboxPid(pod.podId);
  const namespaces = (requested.linux?.namespaces ?? []) as Array<{ type: string; path?: string }>;
  // A container joining namespaces made outside its pod's user namespace runs in the host's,
  // with every other protection, unless the only one is CNI's network namespace and the runtime
  // joins it before the user namespace: the shim then serves that namespace's /sys and sysctls
  // from the host's side (userns-feasibility.ts says why). One joining its sandbox's joins the
  // sandbox's user namespace too.
  const podNamespaces = podNamespacePaths(namespaces, pod, sandboxPid);
  const joined = namespaces.filter((ns) => ns.path).map((ns) => ns.type);
  const podNetwork = deps.podNetwork;
  // containerd 2.x makes a hostUsers: false pod's user namespace itself, and the pod's other
  // namespaces inside it, and hands every container of the pod its path with the mappings
  // (containerd 1.7 hands app containers their sandbox's the same way): the container joins
  // it, and the range it is on is the pod's, allocated as a requested one (or refused) so no
  // other pod is given it.
  const asked = requestedUserNamespace(requested);
  const pinned = config.hardening.requireUserNamespace ? pinnedUserNamespace(asked, input.hostUserNamespace ?? '/proc/self/ns/user') : undefined;
  // Only a container that joins a network namespace may need the runtime's join order, asked once per binary.
  const runtimeJoinsFirst =
    pinned === undefined && podNetwork !== undefined && config.hardening.requireUserNamespace && joined.includes('network')
      ? ((await deps.runtimeJoinsFirst?.(config.runtime.binary)) ?? false)
      : false;
  // an app container joins its sandbox's (the one containerd named), never another by path
  const feasibility: Feasibility = pinned
    ? { keep: true, joinSandbox: sandboxPid !== undefined, hostSideNetwork: false }
    : usernsFeasibility({
        isSandbox: pod.isSandbox,
        joined,
        runtimeJoinsFirst,
        sandbox:
          sandboxPid === undefined
            ? undefined
            : {
                inPodUserNamespace: input.sandboxInUserNamespace?.(pod.podId) ?? false,
                own: Object.keys(podNamespaces),
                hostSideNetwork: podNetwork?.staged(input.namespace, pod.podId) ?? false,
              },
      });
  const userNamespacePossible = feasibility.keep;
  const policy = userNamespacePossible ? config.hardening : { ...config.hardening, requireUserNamespace: false };
  const owner = rangeOwner(input.namespace, pod.podId);
  const container = `${input.namespace}/${id}`;
  let range: IdRange | undefined;
  // the pinned path itself is joined only when no sandbox of this shim's is (see applyHardening below)
  if (pinned && sandboxPid === undefined) verifyPinned(deps, pinned);
  if (pinned) range = await deps.ranges(config).allocate(owner, pinned.mapping, container);
  else if (policy.requireUserNamespace) range = await deps.ranges(config).allocate(owner, requestedMapping(asked), container);
  const joinPath = feasibility.keep && feasibility.joinSandbox ? `/proc/${sandboxPid}/ns/user` : pinned?.path;
  const audit = (decisions: readonly Decision[]): void =>
    deps.audit(config, decisions.map((d) => ({ container: id, pod: pod.podId, ...d })));
  let result;
  try {
    result = applyHardening(requested as HardeningSpec, policy, {
      containerId: id,
      podId: pod.podId,
      podNamespaces,
      userNamespace: range && (joinPath === undefined ? range : { ...range, path: joinPath }),
      // the hardening says what the container keeps instead: the host's, or the request's own
      userNamespaceWithheld: !feasibility.keep && config.hardening.requireUserNamespace ? feasibility.why : undefined,
    });
  } catch (err) {
    if (err instanceof HardeningRefusedError) audit(err.decisions);
    if (range && pod.isSandbox) await deps.ranges(config).release(owner);
    throw err;
  }
  audit(result.decisions);
  let spec: OciSpec & { root?: { path?: string } };
  try {
    spec = placed(result.spec as OciSpec & { root?: { path?: string } }, config, pod, id, audit);
  } catch (err) {
    if (range && pod.isSandbox) await deps.ranges(config).release(owner);
    throw err;
  }
  const inUserNamespace = result.spec.linux?.namespaces?.some((ns) => ns.type === 'user') ?? false;
  if (!inUserNamespace || !range) {
    // the privileged opt-in runs in the host's user namespace: the range is not needed
    if (range && pod.isSandbox) await deps.ranges(config).release(owner);
    return { spec, pod };
  }
  if (feasibility.keep && feasibility.hostSideNetwork && podNetwork !== undefined) {
    try {
      spec = servedFromHost(spec, podNetwork, input.namespace, pod, audit);
    } catch (err) {
      if (pod.isSandbox) {
        podNetwork.release(input.namespace, pod.podId);
        await deps.ranges(config).release(owner);
      }
      throw err;
    }
  }
  // runc mounts the rootfs from inside the user namespace, as the pod's unprivileged root,
  // which cannot traverse containerd's 0700 state directories: the idmapped view goes where
  // it can (and never over a directory shared with other containers, as ctr --rootfs names).
  const rootPath = spec.root?.path ?? 'rootfs';
  const source = isAbsolute(rootPath) ? rootPath : resolve(bundle, rootPath);
  const target = join(idmappedRootfsDir, input.namespace, id);
  // A spec that came with the pod's mappings (Kubernetes hostUsers: false) came with a rootfs
  // already owned by them: containerd 1.7 shifts the snapshot for the mappings it asks for, and
  // containerd 2.x's rootfs mount names them (uidmap=, gidmap=), which mounting it applied.
  // Its view is a plain bind; an idmapping would shift it again, past the range (65534).
  return {
    spec: { ...spec, root: { ...spec.root, path: target } },
    pod,
    idmap: { source, target, mapping: range, alreadyShifted: sameMappings(requested, range) },
    range: { pod: owner, container },
  };
}

/**
 * The pod's network namespace is the host's user namespace's: /sys becomes a bind of the
 * sysfs staged for the pod (by its sandbox's create) and net.* sysctls are written from the
 * host's side (hardening/host-side-network.ts), before the runtime runs.
 */
function servedFromHost<S extends OciSpec>(spec: S, podNetwork: PodNetworkHost, namespace: string, pod: PodIdentity, audit: (d: readonly Decision[]) => void): S {
  const netns = (spec.linux as { namespaces?: Array<{ type: string; path?: string }> } | undefined)?.namespaces?.find((ns) => ns.type === 'network')?.path;
  if (netns === undefined) return spec;
  const rewritten = hostSideNetwork(spec as HardeningSpec, { stagedSysfs: podNetwork.sysfsPath(namespace, pod.podId) });
  if (pod.isSandbox) podNetwork.stageSysfs(namespace, pod.podId, netns);
  if (Object.keys(rewritten.sysctls).length > 0) podNetwork.writeSysctls(netns, rewritten.sysctls);
  audit(rewritten.decisions);
  return rewritten.spec as S;
}

/** The user namespace the spec asks for: a new one or a path, with the mappings it states. */
interface RequestedUserNamespace {
  path?: string;
  mapping: IdRange;
}

function requestedUserNamespace(spec: OciSpec): RequestedUserNamespace | undefined {
  const linux = spec.linux as { namespaces?: Array<{ type: string; path?: string }>; uidMappings?: IdRange['uidMappings']; gidMappings?: IdRange['gidMappings'] } | undefined;
  const user = linux?.namespaces?.find((ns) => ns.type === 'user');
  if (user === undefined) return undefined;
  return { path: user.path, mapping: { uidMappings: linux?.uidMappings ?? [], gidMappings: linux?.gidMappings ?? [] } };
}

/**
 * The mapping of a new user namespace the spec asks for with one (Kubernetes hostUsers:
 * false): the allocator honours it or refuses it, never ignores it.
 */
function requestedMapping(asked: RequestedUserNamespace | undefined): IdRange | undefined {
  if (asked === undefined || asked.path !== undefined) return undefined;
  return asked.mapping.uidMappings.length > 0 || asked.mapping.gidMappings.length > 0 ? asked.mapping : undefined;
}

/**
 * A user namespace the spec joins by path and names the mappings of (containerd 2.x's pinned
 * pod namespace). Never the shim's own, the host's: a path to it with any mappings stated is
 * left to the hardening, which puts the container in the pod's range instead.
 */
function pinnedUserNamespace(asked: RequestedUserNamespace | undefined, hostUserNamespace: string): { path: string; mapping: IdRange } | undefined {
  if (asked?.path === undefined || asked.mapping.uidMappings.length === 0 || asked.mapping.gidMappings.length === 0) return undefined;
  if (sameNamespace(asked.path, hostUserNamespace)) return undefined;
  return { path: asked.path, mapping: asked.mapping };
}

/**
 * The namespace at the pinned path really has the mappings the spec states. The allocator
 * grants the stated range; a client naming another pod's namespace with a free range stated
 * would otherwise put the container in that pod's ids while the free range is recorded.
 */
function verifyPinned(deps: SandboxingDeps, pinned: { path: string; mapping: IdRange }): void {
  if (deps.userNamespaceMappings === undefined) return;
  const stated = `uids ${formatIdMappings(pinned.mapping.uidMappings)}; gids ${formatIdMappings(pinned.mapping.gidMappings)}`;
  let real: IdRange;
  try {
    const maps = deps.userNamespaceMappings(pinned.path);
    real = { uidMappings: parseIdMapText(maps.uidMap), gidMappings: parseIdMapText(maps.gidMap) };
  } catch (err) {
    throw new InvalidArgumentError(`the user namespace ${pinned.path} the spec joins cannot be checked against its stated mappings (${stated}): ${(err as Error).message}`, { cause: err });
  }
  if (!sameIdMappings(real.uidMappings, pinned.mapping.uidMappings) || !sameIdMappings(real.gidMappings, pinned.mapping.gidMappings)) {
    throw new InvalidArgumentError(
      `the user namespace ${pinned.path} the spec joins maps uids ${formatIdMappings(real.uidMappings) || 'none'}; gids ${formatIdMappings(real.gidMappings) || 'none'}, not the stated ${stated}`,
    );
  }
}

/** Two nsfs paths name one namespace when device and inode match; an unreadable path names none we know. */
function sameNamespace(a: string, b: string): boolean {
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/** The spec's own mappings are exactly the range granted. */
function sameMappings(spec: OciSpec, range: IdRange): boolean {
  const linux = spec.linux as Partial<IdRange> | undefined;
  const text = (mappings: IdRange['uidMappings'] | undefined): string => (mappings ?? []).map((m) => `${m.containerID}:${m.hostID}:${m.size}`).join(',');
  return text(linux?.uidMappings) === text(range.uidMappings) && text(linux?.gidMappings) === text(range.gidMappings);
}

/** An exec'd process gets the same process rules as the container's own. */
export function sandboxExecProcess(deps: SandboxingDeps, config: ShimConfig, containerId: string, podId: string, execId: string, process: object): object {
  try {
    const result = hardenExecProcess(process as OciProcess, config.hardening, { containerId, execId });
    deps.audit(config, result.decisions.map((d) => ({ container: containerId, pod: podId, ...d })));
    return result.spec;
  } catch (err) {
    if (err instanceof HardeningRefusedError) deps.audit(config, err.decisions.map((d) => ({ container: containerId, pod: podId, ...d })));
    throw err;
  }
}

/** In a node partition, the container's cgroup is nested under it and its resources fit inside it. */
function placed<S extends OciSpec>(spec: S, config: ShimConfig, pod: PodIdentity, id: string, audit: (d: readonly Decision[]) => void): S {
  const partition = config.partition;
  if (!partition) return spec;
  try {
    const placement = placeContainer(spec as Parameters<typeof placeContainer>[0], partition, { podId: pod.podId, containerId: id, mode: partition.mode });
    audit(placement.decisions);
    return placement.spec as S;
  } catch (err) {
    if (err instanceof PlacementRefusedError) audit(err.decisions);
    throw err;
  }
}
