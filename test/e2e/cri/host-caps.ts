import { readFileSync } from 'node:fs';

const CAP_SYS_RESOURCE = 24n;

/**
 * Whether processes started from here (containerd, its shims, runc) may lower an
 * oom_score_adj below their own, which takes CAP_SYS_RESOURCE. Some sandboxed hosts drop it
 * from the bounding set even for root; CRI then cannot get the -998 it asks for the pause
 * container.
 */
export function canLowerOomScoreAdj(): boolean {
  const line = readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('CapEff:'));
  const effective = BigInt(`0x${line?.split(/\s+/)[1] ?? '0'}`);
  return ((effective >> CAP_SYS_RESOURCE) & 1n) === 1n;
}
