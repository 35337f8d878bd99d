import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';

/**
 * Every directory the harness makes starts with this prefix: short, because unix socket paths
 * are limited to 108 bytes, and carrying our pid, so leftovers can be traced to one test run.
 */
export const scratchPrefix = `/tmp/mt${process.pid}-`;

/** The ctr namespace of this test run; runc's default cgroup path is /<namespace>/<id>. */
export const testNamespace = `mtest${process.pid}`;

const made = new Set<string>();

export function makeScratchDir(): string {
  const dir = mkdtempSync(scratchPrefix);
  made.add(dir);
  return dir;
}

/** Scratch directories made by this process that still exist. */
export function scratchDirsLeft(): string[] {
  return [...made].filter((d) => existsSync(d));
}

/** Mount points at or below dir, deepest first. */
export function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => unescapeMountPath(line.split(' ')[4] ?? ''))
    .filter((m) => m === dir || m.startsWith(dir + '/'))
    .reverse();
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
export function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/**
 * Removes a scratch directory unless something is still mounted below it: deleting through a
 * leaked bind mount would delete the mount's source. The leak check reports what is left.
 */
export function removeScratchDir(dir: string): boolean {
  if (mountsUnder(dir).length > 0) return false;
  rmSync(dir, { recursive: true, force: true });
  made.delete(dir);
  return true;
}
