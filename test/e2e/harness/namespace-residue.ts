import { readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupRoot, runcStateDir } from './host-state';

function rmdirIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // absent, or still in use: then the leak check reports what is inside
  }
}

/**
 * Removes the per-namespace directories runc creates and never removes: the parent cgroup
 * /<ns> of its default cgroupsPath /<ns>/<id> in every hierarchy, and its state root
 * /run/containerd/runc/<ns>. Only empty ones go.
 */
export function tidyNamespace(ns: string): void {
  let top: string[] = [];
  try {
    top = readdirSync(cgroupRoot);
  } catch {
    // no cgroupfs
  }
  if (top.includes('cgroup.controllers')) rmdirIfEmpty(join(cgroupRoot, ns));
  else for (const h of top) rmdirIfEmpty(join(cgroupRoot, h, ns));
  rmdirIfEmpty(join(runcStateDir, ns));
}
