/**
 * /etc/subuid and /etc/subgid: the ranges the host already delegated to its users (rootless
 * podman, newuidmap). The pool must not overlap them, or a pod's root would be the same host
 * id as some user's subordinate id. The "kubelet" entry is the exception: it is how an
 * operator tells a kubelet to hand `hostUsers: false` pods ranges out of our pool.
 */
import { readFileSync } from 'node:fs';
import { FailedPreconditionError } from '../errors';
import { poolEnd, type UsernsPool } from './pool';

export interface SubidEntry {
  file: string;
  owner: string;
  start: number;
  count: number;
}

export const defaultSubidFiles = ['/etc/subuid', '/etc/subgid'];

/** Lines "owner:start:count"; comments, blanks and malformed lines are skipped like shadow-utils does. */
export function parseSubidFile(text: string, file: string): SubidEntry[] {
  const entries: SubidEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [owner, start, count] = line.split(':');
    if (!owner || !/^\d+$/.test(start ?? '') || !/^\d+$/.test(count ?? '')) continue;
    entries.push({ file, owner, start: Number(start), count: Number(count) });
  }
  return entries;
}

export function readSubidEntries(files: readonly string[] = defaultSubidFiles): SubidEntry[] {
  return files.flatMap((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return parseSubidFile(text, file);
  });
}

export function checkPoolAgainstSubids(pool: UsernsPool, entries: readonly SubidEntry[], exempt: readonly string[] = ['kubelet']): void {
  const end = poolEnd(pool);
  const clashes = entries.filter((e) => !exempt.includes(e.owner) && e.start < end && e.start + e.count > pool.start);
  if (clashes.length === 0) return;
  const list = clashes.map((e) => `${e.owner}:${e.start}:${e.count} in ${e.file}`).join(', ');
  throw new FailedPreconditionError(
    `the user-namespace pool ${pool.start}..${end - 1} overlaps subordinate ids already delegated (${list}); ` +
      'move the pool (userns pool start/count) or those entries',
  );
}
