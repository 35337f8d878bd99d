/**
 * staleStagedSysfs and sweepStagedSysfs: a pod's staged sysfs is live while its pod's range has a
 * live holder (or cannot be judged), stale otherwise; a directory never mounted goes after the
 * create grace. The sweep runs on a temp directory with a fake mount table and a fake remover.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Holder } from '../../../src/userns/holders';
import { staleStagedSysfs, type StagedSysfs } from '../../../src/userns/stale-sysfs';
import { sweepStagedSysfs } from '../../../src/userns/sysfs-sweep';
import type { HostProcesses } from '../../../src/userns/host-processes';

const now = new Date('2026-11-22T18:00:00Z');
const liveness = { bootId: 'boot-1', startTime: (pid: number) => (pid === 100 ? '5000' : pid === 200 ? '6000' : undefined), now };
const init = (pid: number, start: string, boot = 'boot-1'): Holder => ({ boot, pid, start, role: 'init', container: 'k8s.io/c' });
const creating = (until: string): Holder => ({ boot: 'boot-1', pid: 200, start: '6000', role: 'creating', container: 'k8s.io/p', until });
const range = (pod: string, holders?: Holder[]) => ({ owner: { partition: 'default', pod }, holders });
const staged = (pod: string, mounted = true, ageMs = 10 * 60_000): StagedSysfs => ({ path: `/d/${pod}/sys`, pod, mounted, ageMs });

test('staleStagedSysfs: judged by the pod range\'s holders', () => {
  const cases: Array<[string, StagedSysfs, ReturnType<typeof range>[], boolean]> = [
    ['a live init holds it', staged('k8s.io/a'), [range('k8s.io/a', [init(100, '5000')])], false],
    ['a daemon creating the sandbox holds it', staged('k8s.io/a'), [range('k8s.io/a', [creating('2026-11-22T18:04:00Z')])], false],
    ['a creating holder past its grace does not', staged('k8s.io/a'), [range('k8s.io/a', [creating('2026-11-22T17:59:00Z')])], true],
    ['a dead init (pid reused) does not', staged('k8s.io/a'), [range('k8s.io/a', [init(100, '4999')])], true],
    ['an init of another boot does not', staged('k8s.io/a'), [range('k8s.io/a', [init(100, '5000', 'boot-0')])], true],
    ['no range for the pod: released with its sandbox', staged('k8s.io/a'), [range('k8s.io/b', [init(100, '5000')])], true],
    ['a range from before holders cannot be judged', staged('k8s.io/a'), [range('k8s.io/a')], false],
    ['the same pod id in another namespace is another pod', staged('ns2/a'), [range('k8s.io/a', [init(100, '5000')])], true],
    ['never mounted, within the create grace', staged('k8s.io/a', false, 60_000), [], false],
    ['never mounted, past the create grace', staged('k8s.io/a', false, 5 * 60_000), [], true],
  ];
  for (const [name, s, ranges, stale] of cases) {
    assert.equal(staleStagedSysfs([s], { ranges, liveness, graceMs: 5 * 60_000 }), stale ? [s] : [], name);
  }
});

function processes(): HostProcesses {
  return {
    bootId: () => 'boot-1',
    selfPid: () => 1,
    stat: (pid) => (pid === 100 ? { ppid: 1, start: '5000' } : undefined),
    pids: () => [1, 100],
    uidMap: () => undefined,
    root: () => undefined,
  };
}

test('sweepStagedSysfs: removes the stale, keeps the live, reads nothing more when nothing is staged', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'metassembly-sysfs-sweep-'));
  try {
    const statePath = path.join(dir, 'userns.json');
    const stagedDir = path.join(dir, 'sysfs');
    const removed: string[] = [];
    const sweep = (mounts: () => Array<{ mountPoint: string }>) =>
      sweepStagedSysfs({
        dir: stagedDir,
        statePath,
        processes: processes(),
        graceMs: 5 * 60_000,
        remove: (target) => removed.push(target),
        mounts: mounts as never,
        now: () => new Date(Date.now() + 10 * 60_000),
      });
    assert.equal(sweep(() => assert.unreachable('no mount table read with nothing staged') as never), []);

    for (const pod of ['live', 'dead', 'empty']) fs.mkdirSync(path.join(stagedDir, 'k8s.io', pod, pod === 'empty' ? '' : 'sys'), { recursive: true });
    const holders = [{ boot: 'boot-1', pid: 100, start: '5000', role: 'init' }];
    const rangeOf = (pod: string, h: unknown[], hostID: number) => ({ hostID, size: 65536, owner: { partition: 'default', pod }, allocatedAt: now.toISOString(), requested: false, holders: h });
    fs.writeFileSync(statePath, JSON.stringify({ version: 1, next: 0, ranges: [rangeOf('k8s.io/live', holders, 0), rangeOf('k8s.io/dead', [{ ...holders[0], pid: 999 }], 65536)] }));
    const mounted = ['live', 'dead'].map((pod) => ({ mountPoint: path.join(stagedDir, 'k8s.io', pod, 'sys') }));
    assert.equal(sweep(() => mounted).sort(), [path.join(stagedDir, 'k8s.io', 'dead', 'sys'), path.join(stagedDir, 'k8s.io', 'empty', 'sys')]);
    assert.equal(removed.sort(), [path.join(stagedDir, 'k8s.io', 'dead', 'sys'), path.join(stagedDir, 'k8s.io', 'empty', 'sys')]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
