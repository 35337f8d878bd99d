/**
 * `-info` (containerd 2.x): a serialized containerd.types.RuntimeInfo. The features
 * are the OCI runtime's own (`<runtime> features`), since what a container may ask
 * for (e.g. idmapped mounts) is what that runtime can do.
 */
import { execFileSync } from 'node:child_process';
import { loadConfig } from '../config/load';
import { containerd } from '../wire/gen/introspection';
import { readStdinOptions } from './runtime-options';

const FEATURES_TYPE = 'types.containerd.io/opencontainers/runtime-spec/1/features/Features';

export function runtimeInfo(version: string): Uint8Array {
  const config = loadConfig(readStdinOptions());
  let features: Buffer | undefined;
  try {
    features = execFileSync(config.runtime.binary, ['features'], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
  } catch {
    // a runtime without `features` (or not installed) leaves the field empty
  }
  return containerd.types.RuntimeInfo.encode({
    name: 'io.containerd.metassembly.v2',
    version: { version, revision: '' },
    features: features ? { type_url: FEATURES_TYPE, value: features } : undefined,
  }).finish();
}
