import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultConfig, loadConfig } from '../../../src/config';
import { configSourceFromOptions, hostConfigEnv, hostConfigPath } from '../../../src/task/runtime-options';
import { RuncOptions, RuntimeOptions } from '../../../src/wire/options';

// Which config each kind of runtime options names: runtimeoptions name their own file or body;
// runc's Options (runtime_type io.containerd.runc.v2 with runtime_path = the shim) cannot, so the
// host's file is read (METASSEMBLY_CONFIG in containerd's environment replaces it).

// through the wire codec, as the shim receives them
const runc = (o: RuncOptions.$Properties = {}) => ({ kind: 'runc' as const, options: RuncOptions.decode(RuncOptions.encode(o).finish()) });
const runtimeOptions = (o: RuntimeOptions.$Properties) => ({
  kind: 'runtimeoptions' as const,
  options: RuntimeOptions.decode(RuntimeOptions.encode(o).finish()),
});

test('configSourceFromOptions: each kind of options and where its config comes from', () => {
  const cases: Array<[string, Parameters<typeof configSourceFromOptions>[0], NodeJS.ProcessEnv, ReturnType<typeof configSourceFromOptions>]> = [
    ['no options: the defaults, the host file is not read', { kind: 'none' }, { [hostConfigEnv]: '/x.toml' }, {}],
    [
      'runtimeoptions: their own path, the env ignored',
      runtimeOptions({ configPath: '/c.toml' }),
      { [hostConfigEnv]: '/x.toml' },
      { configPath: '/c.toml', configBody: '' },
    ],
    [
      'runc options: the host file when present',
      runc({ binaryName: 'crun' }),
      {},
      { optionalConfigPath: hostConfigPath, runc: { binaryName: 'crun', root: '', systemdCgroup: false } },
    ],
    [
      'runc options with METASSEMBLY_CONFIG: that file, required',
      runc(),
      { [hostConfigEnv]: '/x.toml' },
      { configPath: '/x.toml', runc: { binaryName: '', root: '', systemdCgroup: false } },
    ],
  ];
  for (const [name, decoded, env, want] of cases) assert.equal(configSourceFromOptions(decoded, env), want, name);
});

test('loadConfig: an optional path is read when present, else the defaults; runc options layer on top', () => {
  const dir = mkdtempSync('/tmp/mt-runtime-options-');
  try {
    const file = join(dir, 'config.toml');
    assert.equal(loadConfig({ optionalConfigPath: file }), defaultConfig());
    writeFileSync(file, '[runtime]\nbinary = "crun"\nsystemd_cgroup = true\n[shim]\ngrouping = "container"\n');
    const c = loadConfig({ optionalConfigPath: file, runc: { binaryName: '', root: '/run/r', systemdCgroup: false } });
    assert.is(c.shim.grouping, 'container');
    assert.is(c.runtime.binary, 'crun', 'an empty BinaryName keeps the file\'s binary');
    assert.is(c.runtime.root, '/run/r');
    assert.ok(c.runtime.systemdCgroup, 'SystemdCgroup false (proto3: also "unset") keeps the file\'s true');
    assert.is(loadConfig({ optionalConfigPath: file, runc: { binaryName: 'runc', root: '', systemdCgroup: false } }).runtime.binary, 'runc');
    assert.throws(() => loadConfig({ configPath: join(dir, 'absent.toml'), runc: { binaryName: '', root: '', systemdCgroup: false } }), /read metassembly config/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
