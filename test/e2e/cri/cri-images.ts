import { join } from 'node:path';
import { FailedPreconditionError } from '../../../src/errors';
import { repoRoot, runCommand, type Containerd } from '../harness';

/** The names scripts/images/build-images.sh gives its images. */
export const images = {
  busybox: 'localhost/metassembly/busybox:1',
  pause: 'localhost/metassembly/pause:1',
} as const;

const scripts = join(repoRoot, 'scripts', 'images');

/** Builds the offline images (a no-op when current) and imports them into cd's k8s.io namespace. */
export async function importImages(cd: Containerd): Promise<void> {
  const build = await runCommand('bash', [join(scripts, 'build-images.sh')], { timeoutMs: 120_000 });
  if (build.code !== 0) throw new FailedPreconditionError(`build-images.sh failed:\n${build.stderr}`);
  const imp = await runCommand('bash', [join(scripts, 'import-images.sh'), '--address', cd.address], {
    env: { ...process.env, CTR: cd.version.ctr },
    timeoutMs: 120_000,
  });
  if (imp.code !== 0) throw new FailedPreconditionError(`import-images.sh failed:\n${imp.stdout}${imp.stderr}`);
}
