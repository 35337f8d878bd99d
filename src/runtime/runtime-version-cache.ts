/**
 * `<runtime> --version` answers, kept for the host in one small file on /run (so a reboot,
 * or a new binary, asks again): with one shim daemon per pod, every pod's first Create would
 * otherwise spawn the runtime just to read its version. An answer is keyed by what the binary
 * is on disk (resolved path, size, mtime), so replacing the binary is seen.
 */
import { accessSync, constants, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

export const defaultVersionCachePath = '/run/metassembly/runtime-versions.json';

export interface RuntimeVersionCache {
  /** the key of `binary` as it is now on disk; undefined when it cannot be found */
  keyOf(binary: string): string | undefined;
  get(key: string): string | undefined;
  set(key: string, versionOutput: string): void;
}

/** `binary` as exec would find it: a path as given, a bare name on PATH. */
function resolve(binary: string, path: string): string | undefined {
  const candidates = binary.includes('/') ? [binary] : path.split(delimiter).filter(isAbsolute).map((dir) => join(dir, binary));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return realpathSync(candidate);
    } catch {
      // not here
    }
  }
  return undefined;
}

export function fileVersionCache(file = defaultVersionCachePath, path = process.env.PATH ?? ''): RuntimeVersionCache {
  const read = (): Record<string, string> => {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  };
  return {
    keyOf: (binary) => {
      const real = resolve(binary, path);
      if (real === undefined) return undefined;
      const st = statSync(real);
      return `${real}:${st.size}:${st.mtimeMs}`;
    },
    get: (key) => read()[key],
    // Best effort and atomic: a lost write only costs the next daemon one spawn.
    set: (key, versionOutput) => {
      try {
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify({ ...read(), [key]: versionOutput }));
        renameSync(tmp, file);
      } catch {
        // /run/metassembly not writable: ask again next time
      }
    },
  };
}
