/**
 * Facts about the machine a v2 test runs on. The v2 suite is meant for the cgroup v2 guest
 * (scripts/v2-guest/run.sh); elsewhere each test skips, saying why, rather than failing.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CGROUP_ROOT = '/sys/fs/cgroup';

/** Root on a host whose /sys/fs/cgroup is the unified hierarchy: what these tests need. */
export function onV2Host(): boolean {
  return process.getuid?.() === 0 && existsSync(join(CGROUP_ROOT, 'cgroup.controllers'));
}

export function skipUnlessV2(): boolean {
  if (onV2Host()) return false;
  console.log('  (skipped: needs root on a cgroup v2 host; run it through scripts/v2-guest/run.sh)');
  return true;
}

/**
 * Delegates controllers from the root to its children, as systemd does for its slices. Only
 * the ones the kernel has are asked for: writing an unknown one fails the whole write.
 */
export function enableControllers(wanted: string[]): void {
  const available = readFileSync(join(CGROUP_ROOT, 'cgroup.controllers'), 'utf8').trim().split(/\s+/);
  const missing = wanted.filter((c) => !available.includes(c));
  if (missing.length > 0) throw new Error(`the kernel has no ${missing.join(', ')} controller`);
  writeFileSync(join(CGROUP_ROOT, 'cgroup.subtree_control'), wanted.map((c) => `+${c}`).join(' '));
}
