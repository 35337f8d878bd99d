/**
 * A tiny OCI bundle for smoke tests against the real runc/crun: a rootfs of
 * the static busybox (Debian's busybox-static) and the runtime's own
 * `spec` output, adapted to run `sh -c 'sleep 30'` without a terminal.
 */
import { existsSync, promises as fs } from 'fs';
import * as path from 'path';
import type { CommandRunner } from '../../../src/sys/sys';

export const BUSYBOX = ['/usr/bin/busybox', '/bin/busybox'].find((candidate) => existsSync(candidate));

export interface BundleEdits {
  /** replaces config.json's ociVersion */
  ociVersion?: string;
  /** replaces process.cwd (a relative one makes the config invalid) */
  cwd?: string;
}

export async function makeBusyboxBundle(
  runner: CommandRunner,
  binary: string,
  bundle: string,
  edits: BundleEdits = {},
): Promise<void> {
  if (BUSYBOX === undefined) throw new Error('busybox-static is not installed');
  const bin = path.join(bundle, 'rootfs', 'bin');
  await fs.mkdir(bin, { recursive: true });
  await fs.copyFile(BUSYBOX, path.join(bin, 'busybox'));
  await fs.chmod(path.join(bin, 'busybox'), 0o755);
  for (const applet of ['sh', 'sleep']) await fs.symlink('busybox', path.join(bin, applet));
  const result = await runner.run(binary, ['spec'], { cwd: bundle, stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.exitCode !== 0) throw new Error(`${binary} spec failed: ${result.stderr}`);
  const configPath = path.join(bundle, 'config.json');
  const config = JSON.parse(await fs.readFile(configPath, 'utf8'));
  config.process.terminal = false;
  config.process.args = ['sh', '-c', 'sleep 30'];
  if (edits.cwd !== undefined) config.process.cwd = edits.cwd;
  if (edits.ociVersion !== undefined) config.ociVersion = edits.ociVersion;
  await fs.writeFile(configPath, JSON.stringify(config, null, 2));
}
