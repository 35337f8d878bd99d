/**
 * Node's CommonJS resolution, the part our dependency tree uses: relative paths, bare
 * package names through node_modules, package.json "main" and "exports" (exact subpaths,
 * conditions require/node/default). Anything else is an error at build time, not at run time.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';

const CONDITIONS = ['require', 'node', 'default'];

/** The absolute file `spec` names when required from `fromFile`, or null for a builtin. */
export function resolveRequire(spec, fromFile) {
  if (isBuiltin(spec)) return null;
  const found =
    /^\.\.?(\/|$)|^\//.test(spec)
      ? resolvePath(path.resolve(path.dirname(fromFile), spec))
      : resolvePackage(spec, path.dirname(fromFile));
  if (!found) throw new Error(`cannot resolve '${spec}' from ${fromFile}`);
  return found;
}

const isFile = (p) => existsSync(p) && statSync(p).isFile();

function resolvePath(p) {
  for (const candidate of [p, `${p}.js`]) if (isFile(candidate)) return candidate;
  if (!existsSync(p)) return undefined;
  const pkgFile = path.join(p, 'package.json');
  if (isFile(pkgFile)) {
    const { main } = JSON.parse(readFileSync(pkgFile, 'utf8'));
    if (main) {
      const viaMain = resolvePath(path.join(p, main));
      if (viaMain) return viaMain;
    }
  }
  return isFile(path.join(p, 'index.js')) ? path.join(p, 'index.js') : undefined;
}

function resolvePackage(spec, fromDir) {
  const parts = spec.split('/');
  const nameLength = spec.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, nameLength).join('/');
  const subpath = parts.slice(nameLength).join('/');
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const pkgDir = path.join(dir, 'node_modules', name);
    if (existsSync(pkgDir)) return resolveInPackage(pkgDir, subpath, spec);
    if (path.dirname(dir) === dir) return undefined;
  }
}

function resolveInPackage(pkgDir, subpath, spec) {
  const pkgFile = path.join(pkgDir, 'package.json');
  const pkg = isFile(pkgFile) ? JSON.parse(readFileSync(pkgFile, 'utf8')) : {};
  if (pkg.exports === undefined) return resolvePath(path.join(pkgDir, subpath));
  // With "exports", only what the package exports may be required, as in Node.
  const key = subpath ? `./${subpath}` : '.';
  const exportsMap =
    typeof pkg.exports === 'string' || Object.keys(pkg.exports).every((k) => !k.startsWith('.'))
      ? { '.': pkg.exports }
      : pkg.exports;
  const target = pickCondition(exportsMap[key]);
  if (typeof target !== 'string') throw new Error(`'${spec}' is not exported by ${pkgFile} for require`);
  return resolvePath(path.join(pkgDir, target));
}

function pickCondition(entry) {
  if (entry === undefined || entry === null || typeof entry === 'string') return entry;
  for (const condition of CONDITIONS) {
    if (condition in entry) {
      const picked = pickCondition(entry[condition]);
      if (picked) return picked;
    }
  }
  return undefined;
}
