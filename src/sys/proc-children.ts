import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Our live and zombie children, as the kernel lists them per thread in
 * /proc/self/task/<tid>/children. Orphans are reparented to whichever thread of
 * the subreaper is alive, so every thread's list is read. A thread may exit
 * between readdir and read: that one is skipped.
 */
export function listChildren(procSelf = '/proc/self'): number[] {
  const taskDir = path.join(procSelf, 'task');
  const pids = new Set<number>();
  for (const tid of fs.readdirSync(taskDir)) {
    let text: string;
    try {
      text = fs.readFileSync(path.join(taskDir, tid, 'children'), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ESRCH') continue;
      throw err;
    }
    for (const word of text.split(' ')) {
      if (word !== '') pids.add(Number(word));
    }
  }
  return [...pids];
}
