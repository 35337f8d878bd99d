import { readFileSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { leakCheck, scratchPrefix } from '../harness';
import { listEntries, runcStateDir } from '../harness/host-state';
import { eventually } from '../support/eventually';
import { shimRuntimeRoot } from '../support/shim-under-test';

/** The containerd namespace CRI puts every pod and container in. */
export const criNamespace = 'k8s.io';

export interface CriLeakCheck {
  /** Leaks once shims had up to settleMs to exit and clean up after their last task. */
  settledLeaks(settleMs?: number): Promise<string[]>;
  cleanup(): Promise<void>;
}

/**
 * The harness leak check (which ties shims to this run by containerd's scratch address and
 * containers by their cgroup parent under the test namespace), plus the OCI runtime state
 * that runc and our shim keep per container under the k8s.io namespace, which it does not
 * know about.
 */
export function criLeakCheck(): CriLeakCheck {
  const base = leakCheck();
  const stateDirs = [join(runcStateDir, criNamespace), join(shimRuntimeRoot, criNamespace)];
  const before = new Set(stateDirs.flatMap((d) => listEntries(d)));
  // The k8s.io state dirs are shared by every CRI run on the host: an entry is this run's
  // only if runc's state for it names this run's scratch dir (where its containerd keeps bundles).
  const ours = (entry: string): boolean => {
    try {
      return readFileSync(join(entry, 'state.json'), 'utf8').includes(scratchPrefix);
    } catch {
      return false;
    }
  };
  const newState = (): string[] => stateDirs.flatMap((d) => listEntries(d)).filter((e) => !before.has(e) && ours(e));
  const find = (): string[] => [...base.leaks(), ...newState().map((e) => `runtime-state: ${e}`)];

  return {
    settledLeaks: async (settleMs = 5_000) => {
      try {
        return await eventually(find, (l) => l.length === 0, { timeoutMs: settleMs, intervalMs: 200 });
      } catch {
        return find();
      }
    },
    cleanup: async () => {
      await base.cleanup();
      for (const e of newState()) rmSync(e, { recursive: true, force: true });
      // runc and our shim never remove the namespace level; only an empty one goes.
      for (const d of stateDirs) {
        try {
          rmdirSync(d);
        } catch {
          // absent, or holding another run's containers
        }
      }
    },
  };
}
