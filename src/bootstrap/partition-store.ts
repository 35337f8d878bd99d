/** The partitions' state files: one JSON per partition, written atomically (tmp + rename). */
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InternalError, NotFoundError } from '../errors';
import { parsePartitionState, type PartitionState } from '../partitions';

export async function writeFileAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

export async function listStates(stateDir: string): Promise<PartitionState[]> {
  let names: string[];
  try {
    names = await readdir(stateDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new InternalError(`partitions: list ${stateDir}: ${(err as Error).message}`, { cause: err });
  }
  const files = names.filter((n) => n.endsWith('.json')).sort();
  return Promise.all(files.map(async (f) => parsePartitionState(await readFile(join(stateDir, f), 'utf8'), join(stateDir, f))));
}

export async function readState(stateDir: string, name: string): Promise<PartitionState> {
  const all = await listStates(stateDir);
  const state = all.find((s) => s.name === name);
  if (!state) {
    throw new NotFoundError(`no partition named ${JSON.stringify(name)} (${all.length ? `partitions: ${all.map((s) => s.name).join(', ')}` : `none in ${stateDir}`})`);
  }
  return state;
}

export async function writeState(state: PartitionState): Promise<void> {
  await writeFileAtomic(state.paths.stateFile, `${JSON.stringify(state, null, 2)}\n`);
}

export async function removeFiles(paths: string[]): Promise<void> {
  for (const path of paths) await rm(path, { force: true });
}
