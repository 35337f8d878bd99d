import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Containerd } from '../harness';

/** A task's bundle directory in containerd's state dir (the same layout in 1.6, 1.7 and 2.x). */
export function bundleDir(cd: Containerd, id: string): string {
  return join(cd.state, 'io.containerd.runtime.v2.task', cd.namespace, id);
}

/** The shim socket serving a task, from the `address` file our `start` writes into the bundle. */
export function shimSocketPath(cd: Containerd, id: string): string {
  const address = readFileSync(join(bundleDir(cd, id), 'address'), 'utf8').trim();
  return address.replace(/^unix:\/\//, '');
}
