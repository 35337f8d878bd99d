import { join } from 'node:path';
import { repoRoot, testNamespace } from '../harness';

/** The runtime name containerd resolves to containerd-shim-metassembly-v2 on its PATH. */
export const shimRuntime = 'io.containerd.metassembly.v2';

/**
 * Where the shim binary under test lives: the dev launcher by default; METASSEMBLY_SHIM_DIR
 * points the same tests at another build (the single executable) without editing them.
 */
export const shimDir: string = process.env.METASSEMBLY_SHIM_DIR || join(repoRoot, 'shim', 'dev');

/** Where our shim keeps the OCI runtime's state by default (config.ts: runtime.root). */
export const shimRuntimeRoot = '/run/containerd/metassembly';

/**
 * A ctr namespace of its own for one test file, so files never see each other's containers and
 * the leak check of one cannot blame another. Still carries the run's pid like testNamespace.
 */
export function fileNamespace(tag: string): string {
  return `${testNamespace}-${tag}`;
}
