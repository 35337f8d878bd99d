/**
 * A private copy of the busybox rootfs with the escape probe in it: /probe, and
 * /probe-suid, a setuid-root copy for the setuid escalation probe. The shared rootfs in
 * .cache is never modified.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { busyboxRootfs, repoRoot } from '../e2e/harness';

/** Builds the static probe (test/probe/build.sh) and returns its path. */
export function buildProbe(): string {
  return execFileSync('bash', [join(repoRoot, 'test', 'probe', 'build.sh')], { encoding: 'utf8' }).trim();
}

/** Copies busybox and the probe into `dir`/rootfs; returns that rootfs. */
export function makeProbeRootfs(dir: string): string {
  const probe = buildProbe();
  const rootfs = join(dir, 'rootfs');
  execFileSync('cp', ['-a', busyboxRootfs(), rootfs]);
  // Whoever the container's root is on the host must reach the rootfs through dir.
  chmodSync(dir, 0o755);
  copyFileSync(probe, join(rootfs, 'probe'));
  chmodSync(join(rootfs, 'probe'), 0o755);
  copyFileSync(probe, join(rootfs, 'probe-suid'));
  chownSync(join(rootfs, 'probe-suid'), 0, 0);
  chmodSync(join(rootfs, 'probe-suid'), 0o4755);
  return rootfs;
}
