import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FailedPreconditionError, NotFoundError } from '../../../src/errors';

// The harness runs both from test/e2e/harness and from its compiled copy under build/, so the
// repository root is found by walking up to the package.json rather than by a fixed depth.
function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'scripts', 'setup.sh'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new NotFoundError(`no repository root above ${start}`);
    dir = parent;
  }
}

export const repoRoot: string = findRepoRoot(__dirname);

/** Where scripts/setup.sh puts fetched binaries and built fixtures (gitignored). */
export const cacheDir: string = join(repoRoot, '.cache');

/** The busybox root filesystem built by scripts/make-rootfs.sh, for `ctr run --rootfs`. */
export function busyboxRootfs(): string {
  const dir = join(cacheDir, 'rootfs', 'busybox');
  if (!existsSync(join(dir, 'bin', 'busybox'))) {
    throw new FailedPreconditionError(`${dir} is missing: run scripts/setup.sh`);
  }
  return dir;
}

/**
 * Flags for `ctr run` that end its flag list with the busybox rootfs as the positional
 * Image|RootFS argument; the container id and command follow. Without an image nothing sets
 * PATH, so runc could not find a bare command name, hence the --env.
 */
export function busyboxRunFlags(): string[] {
  return ['--env', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', '--rootfs', busyboxRootfs()];
}
