/** Where a process's cgroups are, from /proc/<pid>/cgroup (containerd's ParseCgroupFileUnified). */
import { join } from 'node:path';
import { NotFoundError } from '../errors';
import { readText } from './cgroupfs';

export interface ProcCgroups {
  /** v1 controller (or "name=systemd") -> cgroup path in that hierarchy, e.g. "memory" -> "/kubepods/x". */
  v1: Map<string, string>;
  /** The "0::<path>" line: the cgroup v2 path, if any. */
  unified?: string;
}

/** Lines are "<hierarchy-id>:<controller,controller>:<path>"; the path may itself contain ':'. */
export function parseProcCgroup(text: string): ProcCgroups {
  const result: ProcCgroups = { v1: new Map() };
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const controllers = line.slice(first + 1, second);
    const path = line.slice(second + 1);
    if (line.slice(0, first) === '0' && controllers === '') {
      result.unified = path;
      continue;
    }
    for (const controller of controllers.split(',')) {
      if (controller !== '') result.v1.set(controller, path);
    }
  }
  return result;
}

export async function readProcCgroup(pid: number, procRoot: string): Promise<ProcCgroups> {
  const text = await readText(join(procRoot, String(pid), 'cgroup'));
  if (text === undefined) throw new NotFoundError(`process ${pid} not found`);
  return parseProcCgroup(text);
}
