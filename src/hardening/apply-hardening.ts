/**
 * The hardening policy: (spec, policy, context) → the spec to run and every decision
 * taken, or a HardeningRefusedError listing what was refused. Pure: no I/O, the input
 * is never modified, and the same input gives the same output.
 *
 * What the caller supplies in the context is what needs I/O to know: the pod's
 * namespaces a container may join and the user-namespace range allocated to the pod.
 */
import { defaultCapabilities } from './capability-sets';
import { DecisionLog, type Decision } from './decisions';
import { hardenDeviceNodes, hardenDeviceRules } from './devices';
import { hardenResources } from './limits';
import { hardenMounts, hardenPaths } from './mounts';
import { hardenNamespaces, type NamespaceContext } from './namespaces';
import type { OciLinux, OciProcess, OciSpec } from './oci-spec';
import type { HardeningPolicy } from './policy';
import { hardenProcess } from './process';
import { hardenSeccomp } from './seccomp';
import { hardenSysctls } from './sysctls';

export type HardeningContext = NamespaceContext;

export interface HardeningResult<T> {
  spec: T;
  decisions: Decision[];
}

export function applyHardening(spec: OciSpec, policy: HardeningPolicy, context: HardeningContext): HardeningResult<OciSpec> {
  const input: OciSpec = structuredClone(spec);
  const log = new DecisionLog(policy.allowPrivileged);
  const result: OciSpec = { ...input };

  if (input.process !== undefined) result.process = hardenProcess(input.process, policy, log, 'process');
  const capabilities = new Set(result.process?.capabilities?.bounding ?? []);
  // Capabilities beyond the partition's set survive only through the opt-in: such a
  // container is privileged, and runs as what it asked for.
  const privileged = [...capabilities].some((c) => !defaultCapabilities.has(c) && !policy.allowedCapabilities.includes(c));

  const hookKinds = Object.keys(input.hooks ?? {}).filter((k) => (input.hooks![k]?.length ?? 0) > 0).sort();
  if (hookKinds.length > 0 && !log.privileged(`hooks (${hookKinds.join(', ')})`, 'hooks run on the host as root, outside the sandbox', 'hooks')) {
    delete result.hooks;
  }

  const linux: OciLinux = input.linux ?? {};
  const namespaces = hardenNamespaces(linux, policy, context, privileged, log);
  const deviceNodes = hardenDeviceNodes(linux.devices ?? [], log);
  const resources = hardenResources(linux.resources, policy, log);
  resources.devices = hardenDeviceRules(linux.resources?.devices ?? [], deviceNodes, log);
  const hardened: OciLinux = {
    ...linux,
    ...namespaces,
    resources,
    ...hardenPaths(linux, log),
  };
  if (linux.devices !== undefined) hardened.devices = deviceNodes;
  if (linux.sysctl !== undefined) {
    hardened.sysctl = hardenSysctls(linux.sysctl, namespaces.namespaces ?? [], context.podNamespaces ?? {}, policy, log);
  }
  const seccomp = hardenSeccomp(linux.seccomp, policy, capabilities, privileged && capabilities.has('CAP_SYS_ADMIN'), log);
  if (seccomp === undefined) delete hardened.seccomp;
  else hardened.seccomp = seccomp;
  for (const key of ['uidMappings', 'gidMappings'] as const) if (hardened[key] === undefined) delete hardened[key];
  result.linux = hardened;
  if (input.mounts !== undefined) result.mounts = hardenMounts(input.mounts, policy, log);

  log.throwIfRefused(context.containerId);
  return { spec: result, decisions: log.decisions };
}

/** The same process rules for an exec'd process (containerd's Exec carries a process spec). */
export function hardenExecProcess(
  process: OciProcess,
  policy: HardeningPolicy,
  context: { containerId: string; execId: string },
): HardeningResult<OciProcess> {
  const log = new DecisionLog(policy.allowPrivileged);
  const hardened = hardenProcess(structuredClone(process), policy, log, 'process');
  log.throwIfRefused(`${context.containerId} (exec ${context.execId})`);
  return { spec: hardened, decisions: log.decisions };
}
