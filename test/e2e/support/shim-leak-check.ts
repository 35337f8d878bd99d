import { readdirSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { leakCheck } from '../harness';
import { listProcesses } from '../harness/host-state';
import { eventually } from './eventually';
import { shimProcesses } from './shim-processes';
import { shimRuntimeRoot } from './shim-under-test';

export interface ShimLeakCheck {
  /**
   * What leaked since the snapshot, once things had up to `settleMs` to go away: a shim daemon
   * exits shortly after its last task is deleted, not at the instant ctr returns.
   */
  settledLeaks(settleMs?: number): Promise<string[]>;
  /** Removes what leaked, if anything did, and the namespace's empty runtime-state directory. */
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
export function shimLeakCheck(namespace: string, opts: { unnamedFiles?: boolean } = {}): ShimLeakCheck {
  const base = leakCheck({ namespace });
  // Shim sockets and ctr fifos carry no owner's name: over a long span (a whole file) a test
  // run elsewhere on the host leaves some too. Checks over one test keep them; the file-wide
  // check counts only what names this namespace.
  const unnamedFiles = opts.unnamedFiles ?? true;
  const kept = (leak: string): boolean => unnamedFiles || !/^(socket|fifo): /.test(leak);
  const before = new Set(listProcesses().map((p) => p.pid));
  const stateDir = join(shimRuntimeRoot, namespace);

  const newShims = (): { pid: number; cmdline: string }[] => shimProcesses(namespace).filter((p) => !before.has(p.pid));
  const find = (): string[] => [
    ...base.leaks().filter(kept),
    ...newShims().map((p) => `shim process ${p.pid}: ${p.cmdline.slice(0, 300)}`),
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
      // The harness cleanup removes every new fifo and socket no other run holds open, which
      // can include one another test run has just made and not opened yet: only call it when
      // something of ours leaked.
      if (find().length > 0) {
        for (const p of newShims()) {
          try {
            process.kill(p.pid, 'SIGKILL');
          } catch {
            // exited meanwhile
          }
        }
        await base.cleanup();
        for (const e of listDir(stateDir)) rmSync(join(stateDir, e), { recursive: true, force: true });
      }
      try {
        rmdirSync(stateDir); // like runc's per-namespace state dir, never removed by the runtime
      } catch {
        // never created, or still in use
      }
    },
  };
}
