/** The processes of a cgroup subtree, from the cgroup.procs of each directory in it. */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { InternalError, NotFoundError } from '../errors';
import { isGone, readText } from './cgroupfs';

async function collect(dir: string, into: Set<number>): Promise<boolean> {
  const procs = await readText(join(dir, 'cgroup.procs'));
  if (procs === undefined) return false;
  for (const line of procs.split('\n')) {
    if (/^\d+$/.test(line)) into.add(Number(line));
  }
  let children: string[] = [];
  try {
    children = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (err) {
    // A child cgroup removed while we walk is simply not there any more.
    if (!isGone(err)) throw new InternalError(`cgroups: list ${dir}: ${(err as Error).message}`, { cause: err });
  }
  await Promise.all(children.map((child) => collect(join(dir, child), into)));
  return true;
}

/** Sorted pids of `dir` and its descendants. NotFoundError when `dir` is no cgroup (any more). */
export async function readCgroupProcs(dir: string): Promise<number[]> {
  const pids = new Set<number>();
  if (!(await collect(dir, pids))) throw new NotFoundError(`cgroup ${dir} not found`);
  return [...pids].sort((a, b) => a - b);
}
