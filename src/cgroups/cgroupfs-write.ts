/**
 * Making cgroups and writing their files. The kernel's errno says what went wrong in
 * cgroup terms (EBUSY on subtree_control: the no-internal-processes rule; EINVAL: a
 * value the controller refuses), so it is kept in the message with the path and value.
 */
import { mkdir, rmdir, writeFile } from 'node:fs/promises';
import { FailedPreconditionError, InternalError, InvalidArgumentError } from '../errors';
import { readText } from './cgroupfs';

export async function writeValue(path: string, value: string): Promise<void> {
  try {
    await writeFile(path, value);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = `cgroups: write ${JSON.stringify(value)} to ${path}: ${(err as Error).message}`;
    if (code === 'EINVAL' || code === 'ERANGE') throw new InvalidArgumentError(message, { cause: err });
    if (code === 'EBUSY' || code === 'ENOSPC' || code === 'EACCES' || code === 'EPERM' || code === 'ENOENT') {
      throw new FailedPreconditionError(message, { cause: err });
    }
    throw new InternalError(message, { cause: err });
  }
}

/** true when it made the directory, false when it was there. */
export async function makeDir(path: string): Promise<boolean> {
  try {
    await mkdir(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new FailedPreconditionError(`cgroups: mkdir ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** A file's trimmed text, '' when it is missing. */
export async function readTrimmed(path: string): Promise<string> {
  return (await readText(path))?.trim() ?? '';
}

/**
 * rmdir, waiting out EBUSY: a killed task stays in a cgroup until it is reaped, which
 * its parent does in its own time. Missing is fine: someone removed it first.
 */
export async function removeDir(path: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await rmdir(path);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || Date.now() > deadline) {
        throw new FailedPreconditionError(`cgroups: rmdir ${path}: ${(err as Error).message}`, { cause: err });
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
