/** The two runtimes compared, and what differs between them for the bench. */
import { join } from 'node:path';
import type { Containerd } from '../test/e2e/harness';

export type Side = 'ours' | 'runc';

export const sides: readonly Side[] = ['ours', 'runc'];

export interface RuntimeUnderTest {
  side: Side;
  /** The --runtime name given to ctr. */
  name: string;
  label: string;
  /** The OCI annotation whose value names the shim group a container joins. */
  groupAnnotation: string;
  /** The shim executable containerd resolves the runtime name to. */
  shimBinary: string;
}

export function runtimesFor(cd: Containerd, shimDir: string): Record<Side, RuntimeUnderTest> {
  return {
    ours: {
      side: 'ours',
      name: 'io.containerd.metassembly.v2',
      label: 'metassembly',
      groupAnnotation: 'io.containerd.metassembly.v2.group',
      shimBinary: join(shimDir, 'containerd-shim-metassembly-v2'),
    },
    runc: {
      side: 'runc',
      name: 'io.containerd.runc.v2',
      label: 'runc-v2',
      groupAnnotation: 'io.containerd.runc.v2.group',
      shimBinary: cd.version.runcShim,
    },
  };
}

/** Both sides, the first one swapped on odd rounds so neither always runs on a warmer machine. */
export function alternate<T>(round: number, both: Record<Side, T>): T[] {
  return round % 2 === 0 ? [both.ours, both.runc] : [both.runc, both.ours];
}
