import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableVersions, runCommand, type ContainerdVersion } from '../../e2e/harness';
import { deployDir, fakeShim } from './install-run';

// install.sh as on a real host (no --root): it finds containerd's version by running it,
// validates the edited config with `containerd config dump`, restarts containerd through
// systemctl, and puts every file back when containerd refuses. Run as root in a private mount
// namespace where /etc, /opt and /usr/local/bin are overlays, so the host sees none of it;
// systemctl is a fake that records its calls, containerd is each version under .cache.

const isRoot = process.getuid?.() === 0;

const fakeSystemctl = `#!/bin/sh
echo "$*" >>"$SYSTEMCTL_LOG"
case "$1" in
  show) echo "\${FAKE_KILL_MODE:-process}" ;;
  restart) exit "\${FAKE_RESTART_RC:-0}" ;;
esac
`;

// Overlays the host paths install.sh writes, runs it, then prints the main config it left.
const inPrivateMounts = `
set -e
for d in /etc /opt /usr/local/bin; do
  mkdir -p "$OVERLAYS$d/upper" "$OVERLAYS$d/work"
  mount -t overlay overlay -o "lowerdir=$d,upperdir=$OVERLAYS$d/upper,workdir=$OVERLAYS$d/work" "$d"
done
if [ -n "$MAIN_CONFIG" ]; then printf '%s' "$MAIN_CONFIG" >/etc/containerd/config.toml; fi
set +e
for i in $(seq "$RUNS"); do bash "$INSTALL" --binary "$SHIM"; echo "rc=$?"; done
echo '--- config'
cat /etc/containerd/config.toml
`;

interface HostRun {
  rc: number[];
  out: string;
  err: string;
  config: string;
  systemctl: string[];
}

async function hostInstall(v: ContainerdVersion, opts: { runs?: number; killMode?: string; restartRc?: number; mainConfig?: string } = {}): Promise<HostRun> {
  const dir = mkdtempSync('/tmp/mt-deploy-');
  try {
    writeFileSync(join(dir, 'systemctl'), fakeSystemctl);
    chmodSync(join(dir, 'systemctl'), 0o755);
    const log = join(dir, 'systemctl.log');
    writeFileSync(log, '');
    const r = await runCommand('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', inPrivateMounts], {
      timeoutMs: 120_000,
      env: {
        ...process.env,
        PATH: `${dir}:${v.binDir}:${process.env.PATH}`,
        OVERLAYS: join(dir, 'overlays'),
        INSTALL: join(deployDir, 'install', 'install.sh'),
        SHIM: fakeShim(dir),
        RUNS: String(opts.runs ?? 1),
        MAIN_CONFIG: opts.mainConfig ?? '',
        SYSTEMCTL_LOG: log,
        FAKE_KILL_MODE: opts.killMode ?? 'process',
        FAKE_RESTART_RC: String(opts.restartRc ?? 0),
      },
    });
    const [out, config = ''] = r.stdout.split('--- config\n');
    return {
      rc: [...out.matchAll(/^rc=(\d+)$/gm)].map((m) => Number(m[1])),
      out,
      err: r.stderr,
      config,
      systemctl: readFileSync(log, 'utf8').split('\n').filter(Boolean),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const restartCalls = ['show --property KillMode --value containerd', 'restart containerd', 'is-active --quiet containerd'];
const hostConfig = (): string => readFileSync('/etc/containerd/config.toml', 'utf8');

for (const v of isRoot ? availableVersions() : []) {
  test(`containerd ${v.version}: detected, validated, restarted once; the second run changes nothing`, async () => {
    const r = await hostInstall(v, { runs: 2 });
    assert.equal(r.rc, [0, 0], r.out + r.err);
    assert.match(r.out, new RegExp(`containerd ${v.version[0]}\\.x`));
    assert.match(r.out, /containerd loads \/etc\/containerd\/config\.toml/);
    assert.match(r.out, /containerd is active/);
    assert.match(r.out, /metassembly: no change/);
    assert.equal(r.systemctl, restartCalls, 'one restart, by the first run');
    assert.match(r.config, v.series === '2.x' ? /^imports = \["\/etc\/containerd\/conf\.d\/\*\.toml"\]$/m : /# >>> metassembly/);
  });

  test(`containerd ${v.version}: no restart unless KillMode=process; files put back`, async () => {
    const r = await hostInstall(v, { killMode: 'control-group' });
    assert.equal(r.rc, [1]);
    assert.match(r.err, /KillMode=control-group/);
    assert.equal(r.systemctl, [restartCalls[0]]);
    assert.is(r.config, hostConfig());
  });

  test(`containerd ${v.version}: containerd not coming back restores the files and restarts again`, async () => {
    const r = await hostInstall(v, { restartRc: 1 });
    assert.equal(r.rc, [1]);
    assert.match(r.err, /did not come back/);
    assert.equal(r.systemctl, [restartCalls[0], 'restart containerd', 'restart containerd']);
    assert.is(r.config, hostConfig());
  });

  test(`containerd ${v.version}: a config containerd refuses is put back, containerd left alone`, async () => {
    const broken = 'version = 2\n[plugins."io.containerd.grpc.v1.cri"\n';
    const r = await hostInstall(v, { mainConfig: broken });
    assert.equal(r.rc, [1]);
    assert.match(r.err, /containerd refuses the new config/);
    assert.equal(r.systemctl, []);
    assert.is(r.config, broken);
  });
}

if (!isRoot) console.log('host mode needs root (a private mount namespace): nothing run');

test.run();
