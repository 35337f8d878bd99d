/**
 * The KubeletConfiguration fragment for a partition's kubelet: its cgroups under the
 * partition (cgroupfs driver: the partition is a plain cgroup path, not a systemd
 * slice), the partition's containerd, and the sizing. Pure.
 */
import { PODS_CGROUP } from '../cgroups/partition-cgroup';
import type { PartitionState } from './partition-state';

export function renderKubeletConfig(state: PartitionState): string {
  const { kubelet } = state.spec;
  const lines = [
    `# KubeletConfiguration fragment for node partition ${state.name}; written by \`partition create\`.`,
    '# Merge into the kubelet config (or pass as --config-dir drop-in). Run the kubelet in the',
    `# partition's ${state.cgroup.path}/.system cgroup, as scripts/partition-containerd.sh does for containerd.`,
    'apiVersion: kubelet.config.k8s.io/v1beta1',
    'kind: KubeletConfiguration',
    'cgroupDriver: cgroupfs',
    `cgroupRoot: ${state.cgroup.path}/${PODS_CGROUP}`,
    'cgroupsPerQOS: true',
    `containerRuntimeEndpoint: unix://${state.paths.grpcAddress}`,
    `maxPods: ${kubelet.maxPods}`,
    `podPidsLimit: ${kubelet.podPidsLimit}`,
    'systemReserved:',
    `  cpu: ${kubelet.systemReserved.cpu}`,
    `  memory: ${kubelet.systemReserved.memory}`,
    `  pid: "${kubelet.systemReserved.pid}"`,
    '# The kubelet sizes the node from the whole machine; this hides the rest of the host.',
    'kubeReserved:',
    `  cpu: ${kubelet.kubeReserved.cpu}`,
    `  memory: ${kubelet.kubeReserved.memory}`,
    'enforceNodeAllocatable: ["pods"]',
    'evictionHard:',
    `  memory.available: ${kubelet.evictionMemory}`,
  ];
  // kubelet 1.35+ refuses to start on cgroup v1 unless told otherwise.
  if (state.cgroup.version === 1) lines.push('failCgroupV1: false');
  return `${lines.join('\n')}\n`;
}
