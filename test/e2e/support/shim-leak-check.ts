import { readdirSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { leakCheck } from '../harness';
import { listProcesses } from '../harness/host-state';
import { eventually } from './eventually';
import { shimRuntimeRoot } from './shim-under-test';

export interface ShimLeakCheck {
  /**
   * What leaked since the snapshot, once things had up to `settleMs` to go away: a shim daemon
   * exits shortly after its last task is deleted, not at the instant ctr returns.
   */
  settledLeaks(settleMs?: number): Promise<string[]>;
  /** Removes what leaked and the namespace's empty runtime-state directory. */
  cleanup(): Promise<void>;
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * The harness leak check, plus what is ours alone: any process of our shim (dev launcher or
 * single executable) started for this namespace, and OCI runtime state under our runtime root,
 * which the harness does not know about.
 */
export function shimLeakCheck(namespace: string): ShimLeakCheck {
  const base = leakCheck({ namespace });
  const before = new Set(listProcesses().map((p) => p.pid));
  const nsFlag = `-namespace ${namespace} `;
  const stateDir = join(shimRuntimeRoot, namespace);

  const shimProcesses = (): { pid: number; cmdline: string }[] =>
    listProcesses().filter(
      (p) =>
        !before.has(p.pid) &&
        `${p.cmdline} `.includes(nsFlag) &&
        (p.cmdline.includes('launcher.js') || p.cmdline.includes('containerd-shim-metassembly')),
    );
  const find = (): string[] => [
    ...base.leaks(),
    ...shimProcesses().map((p) => `shim process ${p.pid}: ${p.cmdline.slice(0, 300)}`),
    ...listDir(stateDir).map((e) => `runtime-state: ${join(stateDir, e)}`),
  ];

  return {
    settledLeaks: async (settleMs = 3_000) => {
      try {
        return await eventually(find, (l) => l.length === 0, { timeoutMs: settleMs, intervalMs: 200 });
      } catch {
        return find();
      }
    },
    cleanup: async () => {
      for (const p of shimProcesses()) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // exited meanwhile
        }
      }
      await base.cleanup();
      for (const e of listDir(stateDir)) rmSync(join(stateDir, e), { recursive: true, force: true });
      try {
        rmdirSync(stateDir);
      } catch {
        // never created, or still in use
      }
    },
  };
}
