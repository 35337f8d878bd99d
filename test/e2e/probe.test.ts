/**
 * The escape probe (test/probe/probe.c) inside a default container through containerd 1.6:
 * under the stock io.containerd.runc.v2 runtime, printing what plain runc leaves open, and
 * under our shim, where every probe must be blocked.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeHostFixtures } from '../probe/host-fixtures';
import { makeProbeRootfs } from '../probe/probe-rootfs';
import { formatProbeTable, parseProbeOutput, type ProbeReport } from '../probe/probe-report';
import { makeScratchDir, removeScratchDir, type Containerd } from './harness';
import { withShimContainerd } from './support/shim-session';
import { fileNamespace, shimRuntime } from './support/shim-under-test';

const ns = fileNamespace('probe');
const PATH = 'PATH=/usr/sbin:/usr/bin:/sbin:/bin';

async function runProbe(cd: Containerd, runtime: string, id: string): Promise<ProbeReport> {
  const dir = makeScratchDir();
  const host = await makeHostFixtures(id);
  try {
    const rootfs = makeProbeRootfs(dir);
    const r = await cd.ctr(['run', '--rm', '--runtime', runtime, '--env', PATH, '--rootfs', rootfs, id, '/probe', ...host.probeArgs], {
      timeoutMs: 120_000,
    });
    const report = parseProbeOutput(r.stdout);
    console.log(formatProbeTable(`${runtime} (containerd ${cd.version.version})`, report));
    assert.is(r.code, 0, `ctr run exited ${r.code}: ${r.stderr}`);
    assert.ok(report.summary, `the probe finished: ${r.stdout}\n${r.stderr}`);
    assert.is(report.results.length, report.summary!.total);
    return report;
  } finally {
    await host.close();
    removeScratchDir(dir);
  }
}

test('containerd 1.6, io.containerd.runc.v2: the probe runs and shows what plain runc leaves open', async () => {
  await withShimContainerd('1.6', ns, async (cd) => {
    const report = await runProbe(cd, 'io.containerd.runc.v2', 'probe-runc');
    const open = new Set(report.summary!.open);
    // Known about runc with ctr's default spec: container root is host root, no user namespace.
    assert.ok(open.has('uid0_is_host_root'), 'plain runc runs container root as host root');
    // And what any runtime closes: the host's processes, abstract sockets and loopback stay out of view.
    for (const name of ['host_pids', 'host_file', 'host_abstract_socket', 'host_loopback']) assert.not.ok(open.has(name), name);
  });
});

test('containerd 1.6, our shim: every probe is blocked', async () => {
  await withShimContainerd('1.6', ns, async (cd) => {
    const report = await runProbe(cd, shimRuntime, 'probe-shim');
    const open = report.results.filter((r) => !r.blocked).map((r) => `${r.name}: ${r.detail}`);
    assert.equal(open, [], 'open under our shim');
  });
});

test.run();
