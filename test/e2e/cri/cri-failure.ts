/** What a CRI test does when it fails: leave no pod behind, and show what containerd and our shim said. */
import type { CriClient } from '../../../tools/cri';
import type { Containerd } from '../harness';

/**
 * Stops and removes every pod sandbox, as kubelet would, best effort: a failed test must not
 * leave pods mounted under its scratch dir, and containerd's shims outlive the test.
 */
export async function removeAllPods(cri: CriClient | undefined): Promise<void> {
  for (const pod of (await cri?.listPodSandbox().catch(() => [])) ?? []) {
    await cri?.stopPodSandbox(pod.id).catch(() => undefined);
    await cri?.removePodSandbox(pod.id).catch(() => undefined);
  }
}

/**
 * containerd's last errors and warnings, then every line of ours: what our shim logged through
 * containerd (runtime=io.containerd.metassembly.v2, or its path when declared runc-type).
 */
export function criLog(cd: Containerd): string {
  const lines = cd.log().split('\n');
  const shim = (l: string): boolean => l.includes('metassembly');
  return [...lines.filter((l) => /level=(error|warning)/.test(l) && !shim(l)).slice(-30), ...lines.filter(shim)].join('\n');
}
