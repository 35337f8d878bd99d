/**
 * `-info` (containerd 2.x): a serialized containerd.types.RuntimeInfo. The features
 * are the OCI runtime's own (`<runtime> features`), since what a container may ask
 * for (e.g. idmapped mounts) is what that runtime can do.
 */
import { execFileSync } from 'node:child_process';
import { loadConfig } from '../config/load';
import { RuntimeInfo } from '../wire/introspection';
import { OCI_FEATURES_TYPE_URL } from '../wire/type-urls';
import { readStdinOptions } from './runtime-options';

export function runtimeInfo(version: string): Uint8Array {
  const config = loadConfig(readStdinOptions());
  let features: Buffer | undefined;
  try {
    features = execFileSync(config.runtime.binary, ['features'], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
  } catch {
    // a runtime without `features` (or not installed) leaves the field empty
  }
  return RuntimeInfo.encode({
    name: 'io.containerd.metassembly.v2',
    version: { version, revision: '' },
    features: features ? { typeUrl: OCI_FEATURES_TYPE_URL, value: features } : undefined,
  }).finish();
}
