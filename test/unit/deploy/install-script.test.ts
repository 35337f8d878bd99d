import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fakeShim, putFile, readRooted, runScript, snapshot } from './install-run';

// deploy/install/install.sh and uninstall.sh on a temporary root (--root prefixes every path,
// --no-restart leaves containerd alone): idempotent, and undone byte for byte.

const mainConfig = '/etc/containerd/config.toml';
const dropin = '/etc/containerd/conf.d/metassembly.toml';

// Debian bookworm's /etc/containerd/config.toml, as the containerd package installs it.
const debianConfig = `version = 2

[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "/usr/lib/cni"
      conf_dir = "/etc/cni/net.d"
  [plugins."io.containerd.internal.v1.opt"]
    path = "/var/lib/containerd/opt"
`;

function withRoot(body: (root: string, shim: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync('/tmp/mt-deploy-');
    try {
      await body(join(dir, 'root'), fakeShim(dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

async function install(root: string, shim: string, version: string, ...extra: string[]) {
  const r = await runScript('install.sh', ['--binary', shim, '--root', root, '--containerd-version', version, '--no-restart', ...extra]);
  assert.is(r.code, 0, `install.sh failed:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

async function uninstall(root: string) {
  const r = await runScript('uninstall.sh', ['--root', root, '--no-restart']);
  assert.is(r.code, 0, `uninstall.sh failed:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** Installs twice: the second run reports no change and leaves every file untouched. */
async function installTwice(root: string, shim: string, version: string): Promise<void> {
  const first = await install(root, shim, version);
  assert.match(first, /change\(s\)$/m);
  const before = snapshot(root);
  const second = await install(root, shim, version);
  assert.match(second, /^metassembly: no change$/m);
  assert.not.match(second, /^metassembly: changed/m);
  assert.equal(snapshot(root), before);
}

test(
  '1.x on Debian config: block appended with runc, second run no change',
  withRoot(async (root, shim) => {
    putFile(root, mainConfig, debianConfig);
    await installTwice(root, shim, '1.6.20');
    const text = readRooted(root, mainConfig);
    assert.ok(text.startsWith(debianConfig), 'the admin\'s part is kept as it was');
    assert.match(text, /# >>> metassembly/);
    assert.match(text, /\[plugins\."io\.containerd\.grpc\.v1\.cri"\.containerd\.runtimes\.runc\]/);
    assert.match(text, /runtime_path = "\/opt\/metassembly\/bin\/containerd-shim-metassembly-v2"/);
    assert.match(text, /ConfigPath = "\/etc\/metassembly\/config\.toml"/);
    assert.not.ok(existsSync(join(root, dropin)), '1.x gets no drop-in');
    assert.is(readRooted(root, '/opt/metassembly/bin/containerd-shim-metassembly-v2'), '#!/bin/sh\necho v1\n');
    assert.is(statSync(join(root, '/opt/metassembly/bin/containerd-shim-metassembly-v2')).mode & 0o777, 0o755);
    assert.is(readlinkSync(join(root, '/usr/local/bin/containerd-shim-metassembly-v2')), '/opt/metassembly/bin/containerd-shim-metassembly-v2');
    assert.match(readRooted(root, '/etc/metassembly/config.toml'), /^\[runtime\]$/m);
  }),
);

test(
  '1.x config with its own runc table: the block leaves runc out',
  withRoot(async (root, shim) => {
    putFile(
      root,
      mainConfig,
      `version = 2\n[plugins.'io.containerd.grpc.v1.cri'.containerd.runtimes."runc".options]\n  SystemdCgroup = true\n`,
    );
    await installTwice(root, shim, '1.7.24');
    const block = readRooted(root, mainConfig).split('# >>> metassembly')[1];
    assert.not.match(block, /runtimes\.runc/);
    assert.match(block, /runtimes\.metassembly\]/);
  }),
);

test(
  '1.x without a config file: one is made, version 2',
  withRoot(async (root, shim) => {
    await installTwice(root, shim, '1.7.24');
    assert.match(readRooted(root, mainConfig), /^version = 2\n\n# >>> metassembly/);
  }),
);

test(
  '2.x without a config file: version 3 main config importing the version-3 drop-in',
  withRoot(async (root, shim) => {
    await installTwice(root, shim, 'v2.1.9');
    assert.is(readRooted(root, mainConfig), 'version = 3\nimports = ["/etc/containerd/conf.d/*.toml"]\n');
    const d = readRooted(root, dropin);
    assert.match(d, /^version = 3$/m);
    assert.match(d, /\[plugins\.'io\.containerd\.cri\.v1\.runtime'\.containerd\.runtimes\.metassembly\]/);
  }),
);

test(
  '2.x with a version-2 main config and imports: version-2 drop-in, glob appended to the array',
  withRoot(async (root, shim) => {
    putFile(root, mainConfig, `# mine\nversion = 2\nimports = ["/etc/other.toml"] # keep\n\n[plugins."io.containerd.grpc.v1.cri"]\n  sandbox_image = "p:1"\n`);
    await installTwice(root, shim, '2.1.9');
    assert.is(
      readRooted(root, mainConfig),
      `# mine\nversion = 2\nimports = ["/etc/other.toml", "/etc/containerd/conf.d/*.toml"] # keep\n\n[plugins."io.containerd.grpc.v1.cri"]\n  sandbox_image = "p:1"\n`,
    );
    assert.match(readRooted(root, dropin), /^version = 2$/m);
  }),
);

test(
  '2.x --runc-type: the runc-type drop-in in the main config\'s version, switching back rewrites it; 1.x refused untouched',
  withRoot(async (root, shim) => {
    for (const [main, syntax] of [['version = 3\n', /runtimes\.metassembly\]\n  runtime_type = 'io\.containerd\.runc\.v2'$/m], ['version = 2\n', /runtimes\.metassembly\]\n  runtime_type = "io\.containerd\.runc\.v2"$/m]] as const) {
      rmSync(root, { recursive: true, force: true });
      putFile(root, mainConfig, main);
      await install(root, shim, '2.1.9', '--runc-type');
      const before = snapshot(root);
      assert.match(await install(root, shim, '2.1.9', '--runc-type'), /^metassembly: no change$/m);
      assert.equal(snapshot(root), before);
      assert.match(readRooted(root, dropin), syntax);
      assert.match(readRooted(root, dropin), /runtime_path = .\/opt\/metassembly\/bin\/containerd-shim-metassembly-v2.$/m);
      assert.not.match(readRooted(root, dropin), /^\s*ConfigPath\s*=/m, 'runc\'s Options would drop it');
      // without the flag the default snippet comes back
      assert.match(await install(root, shim, '2.1.9'), /^metassembly: changed/m);
      assert.match(readRooted(root, dropin), /runtime_type = .io\.containerd\.metassembly\.v2.$/m);
    }
    rmSync(root, { recursive: true, force: true });
    putFile(root, mainConfig, debianConfig);
    const before = snapshot(root);
    const r = await runScript('install.sh', ['--binary', shim, '--root', root, '--containerd-version', '1.7.24', '--no-restart', '--runc-type']);
    assert.is.not(r.code, 0);
    assert.match(r.stderr, /--runc-type is for containerd 2\.x/);
    assert.equal(snapshot(root), before, 'nothing written');
  }),
);

test(
  'a changed binary is replaced; the admin\'s shim config never is',
  withRoot(async (root, shim) => {
    await install(root, shim, '2.1.9');
    putFile(root, '/etc/metassembly/config.toml', '[runtime]\nbinary = "crun"\n');
    const out = await install(root, fakeShim(join(root, '..'), 'v2'), '2.1.9');
    assert.match(out, /changed {3}\/opt\/metassembly\/bin\/containerd-shim-metassembly-v2/);
    assert.match(out, /unchanged \/etc\/metassembly\/config\.toml/);
    assert.is(readRooted(root, '/opt/metassembly/bin/containerd-shim-metassembly-v2'), '#!/bin/sh\necho v2\n');
    assert.is(readRooted(root, '/etc/metassembly/config.toml'), '[runtime]\nbinary = "crun"\n');
  }),
);

test(
  'refused: a version-1 config, an imports array over lines, a handler table of the admin\'s own',
  withRoot(async (root, shim) => {
    const cases: [string, string, RegExp][] = [
      ['1.7.24', '[plugins.cri]\n  x = 1\n', /config version 1/],
      ['2.1.9', 'version = 3\nimports = [\n  "/a.toml",\n]\n', /imports .* spans lines/],
      ['1.6.20', 'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.metassembly]\n', /already defines runtimes\.metassembly/],
      ['3.0.0', '', /unsupported containerd version/],
    ];
    for (const [version, config, why] of cases) {
      putFile(root, mainConfig, config);
      const r = await runScript('install.sh', ['--binary', shim, '--root', root, '--containerd-version', version, '--no-restart']);
      assert.is.not(r.code, 0, config);
      assert.match(r.stderr, why);
      assert.is(readRooted(root, mainConfig), config, 'the refused config is left as it was');
    }
  }),
);

for (const version of ['1.6.20', '2.1.9']) {
  test(
    `${version}: uninstall undoes install byte for byte, a second uninstall changes nothing`,
    withRoot(async (root, shim) => {
      putFile(root, mainConfig, debianConfig);
      const before = snapshot(root);
      await install(root, shim, version);
      await uninstall(root);
      const after = snapshot(root);
      // What stays: the shim's config (the admin's from now on) and, on 2.x, the import line.
      assert.match(readRooted(root, '/etc/metassembly/config.toml'), /\[shim\]/);
      if (version.startsWith('1')) assert.is(readRooted(root, mainConfig), debianConfig);
      else assert.is(readRooted(root, mainConfig), debianConfig.replace('version = 2\n', 'version = 2\nimports = ["/etc/containerd/conf.d/*.toml"]\n'));
      assert.not.ok(existsSync(join(root, '/opt/metassembly')));
      assert.not.ok(existsSync(join(root, '/usr/local/bin/containerd-shim-metassembly-v2')));
      assert.not.ok(existsSync(join(root, dropin)));
      for (const key of Object.keys(before)) assert.ok(key in after, `${key} is still there`);
      assert.match(await uninstall(root), /^metassembly: no change$/m);
      assert.equal(snapshot(root), after);
    }),
  );
}

test.run();
