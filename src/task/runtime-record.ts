/**
 * What the daemon leaves in a bundle so that the `delete` command, run by containerd
 * after the shim is gone or the connection closed, can still find the container's
 * OCI runtime state. Removed once the daemon itself has cleaned the container up,
 * which makes that `delete` a no-op.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RuntimeRecord {
  binary: string;
  /** --root, namespace included */
  root: string;
  systemdCgroup: boolean;
  /** the idmapped rootfs view outside the bundle, when the container ran in a user namespace */
  idmappedRootfs?: string;
}

const fileName = 'metassembly-runtime.json';

export function writeRuntimeRecord(bundle: string, record: RuntimeRecord): void {
  const tmp = join(bundle, `.${fileName}.tmp`);
  writeFileSync(tmp, JSON.stringify(record), { mode: 0o600 });
  renameSync(tmp, join(bundle, fileName));
}

export function readRuntimeRecord(bundle: string): RuntimeRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(bundle, fileName), 'utf8')) as RuntimeRecord;
  } catch {
    return undefined;
  }
}

export function removeRuntimeRecord(bundle: string): void {
  rmSync(join(bundle, fileName), { force: true });
}
