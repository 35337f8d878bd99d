import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { busyboxRootfs } from '../harness';
import { mountsUnder } from '../harness/scratch';
import { auditLogPath, type AuditEntry } from '../../../src/log/audit-log';

/**
 * A scratch directory for one sandboxed workload: a private copy of the busybox rootfs (the
 * container writes into its rootfs, which must never be the shared fixture) and a private
 * shim state dir, so the audit log and user-namespace allocations of the test stay off the
 * host's /var/lib/metassembly.
 */
export interface SandboxScratch {
  dir: string;
  rootfs: string;
  stateDir: string;
  /** Writes a shim config TOML with the private state dir plus `extra`; returns its path. */
  config(name: string, extra?: string): string;
  /** Deletes the scratch unless something is still mounted below it (its source would go too). */
  remove(): boolean;
  /** The audit log lines (JSON) for a containerd namespace. */
  audit(namespace: string): Array<AuditEntry & { namespace: string; time: string }>;
}

export function sandboxScratch(): SandboxScratch {
  // Not a harness scratch dir: the session's leak check counts those, and this one outlives it.
  const dir = mkdtempSync(`/tmp/mswl${process.pid}-`);
  const rootfs = join(dir, 'rootfs');
  const stateDir = join(dir, 'state');
  // cp -a keeps on-disk owners and modes: the idmapped view must show them as the image has them.
  execFileSync('cp', ['-a', busyboxRootfs(), rootfs]);
  return {
    dir,
    rootfs,
    stateDir,
    config: (name, extra = '') => {
      const path = join(dir, `${name}.toml`);
      writeFileSync(path, `${extra}\n[shim]\nstate_dir = ${JSON.stringify(stateDir)}\n`);
      return path;
    },
    audit: (namespace) => {
      const path = auditLogPath(stateDir, namespace);
      if (!existsSync(path)) return [];
      return readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as AuditEntry & { namespace: string; time: string });
    },
    remove: () => {
      if (mountsUnder(dir).length > 0) return false;
      rmSync(dir, { recursive: true, force: true });
      return true;
    },
  };
}
