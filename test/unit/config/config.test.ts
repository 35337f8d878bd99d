import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { configFromToml, defaultConfig, loadConfig, parseToml } from '../../../src/config';

test('toml subset: tables, strings, ints, bools, arrays over lines, comments', () => {
  const t = parseToml(`
# comment
top = "a # not a comment"
[runtime]
binary = 'crun'   # trailing
n = 1_000
flag = true
list = [
  "x", 'y',
  3,
]
[a.b]
"quoted key" = "esc\\t\\u00e9"
`);
  assert.equal(t, {
    top: 'a # not a comment',
    runtime: { binary: 'crun', n: 1000, flag: true, list: ['x', 'y', 3] },
    a: { b: { 'quoted key': 'esc\té' } },
  });
});

test('toml errors name the line', () => {
  assert.throws(() => parseToml('a = 1\nb = nope', 'f.toml'), /f\.toml:2: unsupported value/);
  assert.throws(() => parseToml('a = 1\na = 2'), /duplicate key a/);
  assert.throws(() => parseToml('[x\n'), /bad table header/);
  assert.throws(() => parseToml('a.b = 1'), /dotted keys/);
});

test('config: defaults, overrides, CRI keys ignored, unknown keys refused by name', () => {
  assert.equal(configFromToml({}, 's'), defaultConfig());
  const c = configFromToml(parseToml(`ConfigPath = ''\n[runtime]\nbinary = "crun"\nroot = "/run/x"\n[shim]\ngrouping = "container"`), 'body');
  assert.is(c.runtime.binary, 'crun');
  assert.is(c.runtime.root, '/run/x');
  assert.is(c.shim.grouping, 'container');
  assert.throws(() => configFromToml(parseToml('[runtime]\nbinray = "x"'), 'body'), /body: runtime.binray: unknown key/);
  assert.throws(() => configFromToml(parseToml('[runtime]\nroot = "rel"'), 'body'), /must be an absolute path/);
  assert.throws(() => configFromToml(parseToml('[shim]\ngrouping = "node"'), 'body'), /must be one of pod, container/);
});

test('loadConfig: config_path wins, runc options override the runtime, a missing file is a clear error', () => {
  assert.equal(loadConfig({}), defaultConfig());
  const c = loadConfig({ configBody: '[runtime]\nbinary = "crun"', runc: { binaryName: '/usr/sbin/runc', root: '', systemdCgroup: true } });
  assert.is(c.runtime.binary, '/usr/sbin/runc');
  assert.is(c.runtime.root, defaultConfig().runtime.root);
  assert.ok(c.runtime.systemdCgroup);
  assert.throws(() => loadConfig({ configPath: '/nonexistent/meta.toml' }), /read metassembly config \/nonexistent\/meta.toml/);
});

test.run();
