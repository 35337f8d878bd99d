import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FailedPreconditionError } from '../../../src/errors';
import { cacheDir } from './repo-paths';

/** The containerd series the e2e tests cover. */
export type ContainerdSeries = '1.6' | '1.7' | '2.x';

export const allSeries: readonly ContainerdSeries[] = ['1.6', '1.7', '2.x'];

/** One entry of .cache/containerd/versions.json, written by scripts/fetch-containerd.sh. */
export interface ContainerdVersion {
  series: ContainerdSeries;
  /** Upstream version, e.g. "1.7.24". */
  version: string;
  debianVersion: string;
  /** Holds containerd, ctr and containerd-shim-runc-v2 of this version. */
  binDir: string;
  containerd: string;
  ctr: string;
  runcShim: string;
}

const manifestPath = join(cacheDir, 'containerd', 'versions.json');

function readManifest(): Partial<Record<ContainerdSeries, Omit<ContainerdVersion, 'series'>>> {
  if (!existsSync(manifestPath)) return {};
  return JSON.parse(readFileSync(manifestPath, 'utf8'));
}

/** The series whose binaries are present on this machine, oldest first. */
export function availableVersions(): ContainerdVersion[] {
  const manifest = readManifest();
  const found: ContainerdVersion[] = [];
  for (const series of allSeries) {
    const entry = manifest[series];
    if (entry && existsSync(entry.containerd) && existsSync(entry.ctr)) found.push({ series, ...entry });
  }
  return found;
}

export function containerdVersion(series: ContainerdSeries): ContainerdVersion {
  const found = availableVersions().find((v) => v.series === series);
  if (!found) throw new FailedPreconditionError(`containerd ${series} is not available: run scripts/setup.sh`);
  return found;
}
