import { rmdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerConfig, Input, PodSandboxConfig } from '../../../tools/cri';
import { cgroupRoot, listEntries } from '../harness/host-state';
import { images } from './cri-images';

export interface PodOptions {
  name: string;
  /** Kubelet's per-pod log directory. */
  logDirectory: string;
  /** cgroupfs path kubelet would make under kubepods; ours sits under the test namespace. */
  cgroupParent: string;
}

/** A pod as kubelet describes it: metadata, DNS, a port mapping, annotations, a linux security context. */
export function podConfig(o: PodOptions): Input<PodSandboxConfig> {
  return {
    metadata: { name: o.name, uid: `uid-${o.name}`, namespace: 'metassembly-test', attempt: 0 },
    hostname: o.name,
    logDirectory: o.logDirectory,
    dnsConfig: { servers: ['10.254.0.53'], searches: ['metassembly-test.svc.cluster.local'], options: ['ndots:5'] },
    portMappings: [{ protocol: 'TCP', containerPort: 8080, hostPort: 0 }],
    labels: { 'io.kubernetes.pod.name': o.name, app: 'cri-test' },
    annotations: { 'metassembly.io/test': 'cri', 'kubernetes.io/config.source': 'api' },
    linux: {
      cgroupParent: o.cgroupParent,
      securityContext: {
        namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' },
        seccomp: { profileType: 'RuntimeDefault' },
      },
    },
  };
}

export const containerMemoryLimit = 64 << 20;

/** A busybox container running `sh -c script`, its log under the pod's directory. */
export function containerConfig(name: string, script: string): Input<ContainerConfig> {
  return {
    metadata: { name, attempt: 0 },
    image: { image: images.busybox },
    command: ['sh', '-c', script],
    logPath: `${name}/0.log`,
    labels: { 'io.kubernetes.container.name': name },
    annotations: { 'metassembly.io/container': name },
    linux: {
      resources: { cpuShares: 256, memoryLimitInBytes: containerMemoryLimit },
      securityContext: { namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } },
    },
  };
}

/**
 * Removes the pod's cgroup in every hierarchy, as kubelet does after RemovePodSandbox:
 * runc creates the parent but never removes it.
 */
export function removePodCgroup(cgroupParent: string): void {
  const v2 = listEntries(cgroupRoot).includes(join(cgroupRoot, 'cgroup.controllers'));
  const roots = v2 ? [cgroupRoot] : listEntries(cgroupRoot);
  for (const root of roots) {
    try {
      rmdirSync(join(root, cgroupParent));
    } catch {
      // absent in this hierarchy, or still populated: then the leak check reports it
    }
  }
}
