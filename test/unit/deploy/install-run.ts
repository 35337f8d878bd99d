import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot, runCommand, type RunResult } from '../../e2e/harness';

/** The deploy/ folder of this checkout. */
export const deployDir = join(repoRoot, 'deploy');

/** Runs deploy/install/<script> with bash; never rejects on a non-zero exit. */
export function runScript(script: 'install.sh' | 'uninstall.sh', args: readonly string[]): Promise<RunResult> {
  return runCommand('bash', [join(deployDir, 'install', script), ...args], { timeoutMs: 60_000 });
}

/** A stand-in for the shim executable: install.sh only copies it. */
export function fakeShim(dir: string, content = 'v1'): string {
  const path = join(dir, 'containerd-shim-metassembly-v2');
  writeFileSync(path, `#!/bin/sh\necho ${content}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** Writes a file below root at its host path. */
export function putFile(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

export function readRooted(root: string, path: string): string {
  return readFileSync(join(root, path), 'utf8');
}

/** Every entry below root with its type, mode and bytes (or link target): equal snapshots, equal trees. */
export function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const st = lstatSync(path);
      const key = path.slice(root.length);
      if (st.isSymbolicLink()) out[key] = `link ${readlinkSync(path)}`;
      else if (st.isDirectory()) {
        out[key] = `dir ${(st.mode & 0o7777).toString(8)}`;
        walk(path);
      } else out[key] = `file ${(st.mode & 0o7777).toString(8)} ${st.mtimeMs} ${readFileSync(path, 'base64')}`;
    }
  };
  if (existsSync(root)) walk(root);
  return out;
}
