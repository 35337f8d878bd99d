import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InternalError } from '../errors';
import type { SysAddon } from './sys-addon';

/** The SEA asset name of the addon and where the build leaves it. */
export const SEA_ASSET = 'sys.node';
const BUILD_OUTPUT = path.join('native', 'build', 'Release', 'sys.node');
/** Where a SEA unpacks the addon: dlopen needs a real file. tmpfs, root-only. */
export const DEFAULT_EXTRACT_DIR = '/run/metassembly/native';

let loaded: SysAddon | undefined;

/** The addon, loaded on first use (start/delete never pay for it unless they need it). */
export function loadSysAddon(extractDir = DEFAULT_EXTRACT_DIR): SysAddon {
  loaded ??= dlopen(runningAsSea() ? extractSeaAsset(extractDir) : findBuiltAddon(__dirname));
  return loaded;
}

function runningAsSea(): boolean {
  // node:sea exists from Node 20 on; require (not import) so bundlers leave it alone.
  const sea = require('node:sea') as typeof import('node:sea');
  return sea.isSea();
}

function dlopen(file: string): SysAddon {
  const module = { exports: {} as SysAddon };
  try {
    process.dlopen(module, file);
  } catch (err) {
    throw new InternalError(`cannot load the sys addon ${file}: ${(err as Error).message}`, { cause: err });
  }
  return module.exports;
}

/**
 * Writes the embedded addon to a file named by its content hash, so concurrent
 * shims share one copy and an upgraded binary never loads a stale one.
 * temp + rename keeps a half-written file from ever having the final name.
 */
function extractSeaAsset(dir: string): string {
  const sea = require('node:sea') as typeof import('node:sea');
  const bytes = new Uint8Array(sea.getRawAsset(SEA_ASSET));
  const digest = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  const file = path.join(dir, `sys-${digest}.node`);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temp, bytes, { mode: 0o500 });
    fs.renameSync(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
  return file;
}

/**
 * The package root is the nearest ancestor holding native/build/Release/sys.node:
 * that is two levels up from build/src/sys, one from a bundle in dist/.
 */
export function findBuiltAddon(startDir: string): string {
  for (let dir = startDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, BUILD_OUTPUT);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) {
      throw new InternalError(`sys addon not found above ${startDir}: run npm run build:native`);
    }
  }
}
