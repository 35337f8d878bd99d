/**
 * The module graph reachable from an entry file: every CommonJS file any reachable file
 * requires, with each file's specifier -> file map. Builtins stay out (Node provides them).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findRequires } from './find-requires.mjs';
import { resolveRequire } from './resolve.mjs';

/** @returns {Map<string, {source: string, deps: Record<string, string>}>} keyed by absolute path, entry first. */
export function collectModules(entry) {
  const modules = new Map();
  const pending = [path.resolve(entry)];
  while (pending.length > 0) {
    const file = pending.shift();
    if (modules.has(file)) continue;
    if (!/\.c?js$/.test(file)) throw new Error(`${file}: only JavaScript can be bundled`);
    const source = readFileSync(file, 'utf8');
    const deps = {};
    for (const spec of findRequires(file, source)) {
      const target = resolveRequire(spec, file);
      if (target === null) continue;
      deps[spec] = target;
      pending.push(target);
    }
    modules.set(file, { source, deps });
  }
  return modules;
}
