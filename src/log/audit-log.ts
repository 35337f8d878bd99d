/**
 * The hardening audit: one JSON line per decision (container, pod, what, action, why),
 * appended under the shim's state dir so it outlives the shim, one file per containerd
 * namespace. Appends of a few lines are atomic enough for concurrent shims (O_APPEND).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface AuditEntry {
  container: string;
  pod: string;
  what: string;
  action: string;
  why: string;
  path?: string;
}

export function auditLogPath(stateDir: string, namespace: string): string {
  return join(stateDir, 'audit', `${namespace}.jsonl`);
}

export function appendAudit(stateDir: string, namespace: string, entries: readonly AuditEntry[], now = new Date()): void {
  if (entries.length === 0) return;
  const path = auditLogPath(stateDir, namespace);
  mkdirSync(join(stateDir, 'audit'), { recursive: true, mode: 0o700 });
  const time = now.toISOString();
  appendFileSync(path, entries.map((e) => JSON.stringify({ time, namespace, ...e })).join('\n') + '\n', { mode: 0o600 });
}
