import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CriClient } from '../../../tools/cri';
import { availableVersions, runCommand, startContainerd, type ContainerdVersion } from '../../e2e/harness';
import { deployDir, fakeShim, putFile, readRooted, runScript } from './install-run';

// Each available containerd really loads what deploy/ writes: `containerd config dump` of what
// install.sh leaves on a temp root (no root needed), and, as root, a private containerd with CRI
// on and the snippet for its version, whose CRI plugin loads and knows handler `metassembly`.

const isRoot = process.getuid?.() === 0;
const versions = availableVersions();
if (versions.length === 0) console.log('no containerd under .cache (scripts/setup.sh fetches them): nothing to load');

const snippetFor = (v: ContainerdVersion): string =>
  readFileSync(join(deployDir, 'containerd', v.series === '2.x' ? 'config-v3.toml' : 'config-v2.toml'), 'utf8');

/** The snippet's tables, for appending to a config that has its own `version` line. */
const tablesOf = (snippet: string): string => snippet.slice(snippet.search(/^\[/m));

// A main config with settings of the admin's that the handler must not wipe out.
const mainConfigs: Record<'2' | '3', string> = {
  '2': `version = 2
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "example.com/pause:admin"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
    SystemdCgroup = true
`,
  '3': `version = 3
[plugins.'io.containerd.cri.v1.images'.pinned_images]
  sandbox = "example.com/pause:admin"
[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
  SystemdCgroup = true
`,
};

async function configDump(v: ContainerdVersion, configPath: string): Promise<string> {
  const r = await runCommand(v.containerd, ['--config', configPath, 'config', 'dump']);
  assert.is(r.code, 0, `containerd ${v.version} config dump:\n${r.stderr}`);
  return r.stdout;
}

for (const v of versions) {
  const mainVersions: ('2' | '3')[] = v.series === '2.x' ? ['3', '2'] : ['2'];
  for (const mainVersion of mainVersions) {
    test(`containerd ${v.version}: install.sh's result on a version-${mainVersion} config loads, admin settings kept`, async () => {
      const dir = mkdtempSync('/tmp/mt-deploy-');
      try {
        const root = join(dir, 'root');
        putFile(root, '/etc/containerd/config.toml', mainConfigs[mainVersion]);
        const r = await runScript('install.sh', [
          '--binary', fakeShim(dir), '--root', root, '--containerd-version', v.version, '--no-restart',
        ]);
        assert.is(r.code, 0, r.stdout + r.stderr);
        // The import names the host path; here the drop-in is below the temp root.
        const main = join(root, 'etc/containerd/config.toml');
        writeFileSync(main, readRooted(root, '/etc/containerd/config.toml').replace('"/etc/containerd/conf.d/', `"${root}/etc/containerd/conf.d/`));
        const dump = await configDump(v, main);
        const runtimes = v.series === '2.x' ? `plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes` : `plugins."io.containerd.grpc.v1.cri".containerd.runtimes`;
        const table = (name: string): string => {
          const at = dump.indexOf(`[${runtimes}.${name}]`);
          assert.ok(at >= 0, `no runtimes.${name} in:\n${dump}`);
          return dump.slice(at, dump.indexOf(`[${runtimes}.${name}.options]`, at) + 400);
        };
        const ours = table('metassembly');
        assert.match(ours, /runtime_type = ["']io\.containerd\.metassembly\.v2["']/);
        assert.match(ours, /runtime_path = ["']\/opt\/metassembly\/bin\/containerd-shim-metassembly-v2["']/);
        assert.match(ours, /pod_annotations = \[["']io\.containerd\.metassembly\.v2\.\*["']\]/);
        assert.match(ours, /ConfigPath = ["']\/etc\/metassembly\/config\.toml["']/);
        assert.match(table('runc'), /SystemdCgroup = true/);
        assert.match(dump, /example\.com\/pause:admin/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  test(`containerd ${v.version}: CRI loads with the snippet and lists handler metassembly`, async () => {
    if (!isRoot) {
      console.log(`  (skipped: a private containerd needs root)`);
      return;
    }
    const cd = await startContainerd({ version: v.series, cri: true, extraConfig: tablesOf(snippetFor(v)) });
    const cri = new CriClient(cd.address, { timeoutMs: 20_000 });
    try {
      const plugins = (await cd.ctr(['plugins', 'ls'])).stdout;
      const criPlugins = v.series === '2.x' ? ['io.containerd.cri.v1.runtime', 'io.containerd.cri.v1.images', 'io.containerd.grpc.v1.cri'] : ['io.containerd.grpc.v1.cri'];
      for (const id of criPlugins) {
        const [type, name] = [id.slice(0, id.lastIndexOf('.')), id.slice(id.lastIndexOf('.') + 1)];
        assert.match(plugins, new RegExp(`^${type.replace(/\./g, '\\.')}\\s+${name}\\s+\\S+\\s+ok\\s*$`, 'm'), `${id} not ok:\n${plugins}`);
      }
      // Warnings about our tables: unknown keys are ignored, not refused, so only the log tells.
      const complaints = cd
        .log()
        .split('\n')
        .filter((l) => /level=(warning|error|fatal)/.test(l))
        .filter((l) => /Ignoring unknown key|failed to load plugin io\.containerd\.(grpc\.v1\.cri|cri\.)|metassembly/.test(l));
      assert.equal(complaints, []);

      const status = await cri.status(true);
      const ready = status.status?.conditions.find((c) => c.type === 'RuntimeReady');
      assert.ok(ready?.status, JSON.stringify(status.status));
      // CRI's verbose status carries its effective config, runtime handlers included.
      const config = JSON.parse(status.info.config ?? '{}');
      const handler = config.containerd?.runtimes?.metassembly;
      assert.ok(handler, `no metassembly handler in CRI's config:\n${status.info.config}`);
      assert.is(handler.runtimeType, 'io.containerd.metassembly.v2');
      assert.is(handler.runtimePath, '/opt/metassembly/bin/containerd-shim-metassembly-v2');
      assert.equal(handler.PodAnnotations, ['io.containerd.metassembly.v2.*']);
      assert.equal(handler.ContainerAnnotations, ['io.containerd.metassembly.v2.*']);
      assert.is(handler.privileged_without_host_devices, true);
      assert.is(handler.options?.ConfigPath, '/etc/metassembly/config.toml');
      assert.ok(config.containerd.runtimes.runc, 'the runc handler is kept');
      if (v.series === '2.x') assert.ok(status.runtimeHandlers.some((h) => h.name === 'metassembly'), JSON.stringify(status.runtimeHandlers));
    } finally {
      cri.close();
      await cd.stop();
    }
  });
}

// install.sh --runc-type on 2.x: the handler is runc-type with our shim as runtime_path, and its
// options stay runc's (a non-empty table, no ConfigPath), in either main config version.
for (const v of versions.filter((v) => v.series === '2.x')) {
  for (const mainVersion of ['3', '2'] as const) {
    test(`containerd ${v.version}: --runc-type on a version-${mainVersion} config loads as a runc-type handler running our shim`, async () => {
      const dir = mkdtempSync('/tmp/mt-deploy-');
      try {
        const root = join(dir, 'root');
        putFile(root, '/etc/containerd/config.toml', mainConfigs[mainVersion]);
        const r = await runScript('install.sh', [
          '--binary', fakeShim(dir), '--root', root, '--containerd-version', v.version, '--no-restart', '--runc-type',
        ]);
        assert.is(r.code, 0, r.stdout + r.stderr);
        const main = join(root, 'etc/containerd/config.toml');
        writeFileSync(main, readRooted(root, '/etc/containerd/config.toml').replace('"/etc/containerd/conf.d/', `"${root}/etc/containerd/conf.d/`));
        const dump = await configDump(v, main);
        const runtimes = `plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes`;
        const at = dump.indexOf(`[${runtimes}.metassembly]`);
        assert.ok(at >= 0, dump);
        const ours = dump.slice(at, dump.indexOf(`[${runtimes}.metassembly.options]`, at) + 200);
        assert.match(ours, /runtime_type = ["']io\.containerd\.runc\.v2["']/);
        assert.match(ours, /runtime_path = ["']\/opt\/metassembly\/bin\/containerd-shim-metassembly-v2["']/);
        assert.match(ours, /SystemdCgroup = false/);
        assert.not.match(ours, /ConfigPath/);
        assert.match(dump, /example\.com\/pause:admin/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
}

// Why config-v2.toml carries a runc table (and install.sh adds one where the main config has none).
for (const v of versions.filter((v) => v.series !== '2.x')) {
  test(`containerd ${v.version}: without the runc table CRI refuses to load`, async () => {
    if (!isRoot) {
      console.log(`  (skipped: a private containerd needs root)`);
      return;
    }
    const withoutRunc = tablesOf(snippetFor(v)).replace(/^\[[^\n]*runtimes\.runc\]\n[^\n]*\n/m, '');
    assert.not.match(withoutRunc, /runtimes\.runc/);
    const cd = await startContainerd({ version: v.series, cri: true, extraConfig: withoutRunc });
    try {
      assert.match((await cd.ctr(['plugins', 'ls'])).stdout, /^io\.containerd\.grpc\.v1\s+cri\s+\S+\s+error\s*$/m);
      assert.match(cd.log(), /no corresponding runtime configured in `containerd\.runtimes`/);
    } finally {
      await cd.stop();
    }
  });
}

test.run();
