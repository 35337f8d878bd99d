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

test('[partition]: placement bounds, one shim per partition by default, bad combinations refused', () => {
  const body = `[partition]\nname = "p0"\ncgroup_parent = "/metassembly.slice/p0"\ncpus = "0-3"\nmems = "0"\nmemory_max = 17179869184\npids_max = 116736`;
  const c = configFromToml(parseToml(body), 'p0.toml');
  assert.equal(c.partition, { name: 'p0', cgroupParent: '/metassembly.slice/p0', mode: 'clamp', cpus: '0-3', mems: '0', memoryMax: 17179869184, pidsMax: 116736 });
  assert.is(c.shim.grouping, 'partition');
  assert.is(configFromToml(parseToml(`[shim]\ngrouping = "pod"\n${body}`), 'p0.toml').shim.grouping, 'pod');
  assert.throws(() => configFromToml(parseToml(`[runtime]\nsystemd_cgroup = true\n${body}`), 'p0.toml'), /systemd_cgroup: must be false with a \[partition\]/);
  assert.throws(() => configFromToml(parseToml('[shim]\ngrouping = "partition"'), 'x'), /needs a \[partition\] section/);
  assert.throws(() => configFromToml(parseToml(body.replace('/metassembly.slice/p0', '../up')), 'p0.toml'), /must be an absolute cgroup path/);
  assert.throws(() => configFromToml(parseToml(body.replace('pids_max = 116736', '')), 'p0.toml'), /partition.pids_max: is required/);
});

test('[hardening]: strict defaults, keys mapped, bad values refused by key', () => {
  const d = configFromToml({}, 's').hardening;
  assert.is(d.allowPrivileged, false);
  assert.is(d.requireUserNamespace, true);
  assert.is(d.allowHostUserNamespace, false);
  assert.is(configFromToml(parseToml('[hardening]\nallow_host_user_namespace = true'), 's').hardening.allowHostUserNamespace, true);
  assert.throws(() => configFromToml(parseToml('[hardening]\nallow_host_user_namespace = "yes"'), 's'), /hardening.allow_host_user_namespace: must be true or false/);
  const h = configFromToml(parseToml('[hardening]\nallow_privileged = true\n[hardening.limits]\npids_default = 64\n[hardening.rlimits]\nRLIMIT_NOFILE = [512, 4096]'), 's').hardening;
  assert.is(h.allowPrivileged, true);
  assert.is(h.limits.pidsDefault, 64);
  assert.equal(h.rlimits.RLIMIT_NOFILE, { soft: 512, hard: 4096 });
  assert.throws(() => configFromToml(parseToml('[hardening]\nallow_everything = true'), 's'), /hardening.allow_everything: unknown key/);
  assert.throws(() => configFromToml(parseToml('[hardening]\nallowed_capabilities = ["CAP_SYS_ADMIN"]'), 's'), /allowed_capabilities/);
});

test.run();
