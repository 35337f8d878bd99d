/**
 * The stale idmapped-view rule as a table, then the sweep over a real directory tree with a
 * fake mount table, process table and remover (nothing is mounted for real).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Holder } from '../../../src/userns/holders';
import { RANGE_SIZE } from '../../../src/userns/pool';
import { staleViews, type ViewCandidate, type ViewFacts } from '../../../src/userns/stale-views';
import { sweepIdmappedViews } from '../../../src/userns/view-sweep';
import { fakeHost } from './support/fake-processes';

const base = 2 ** 30;
const nth = (i: number) => base + i * RANGE_SIZE;
const now = new Date('2025-01-01T00:00:00Z');
const creating: Holder = { boot: 'b', pid: 10, start: '1', role: 'creating', until: '2025-01-01T00:01:00.000Z' };
const init: Holder = { boot: 'b', pid: 100, start: '7', role: 'init' };

function facts(rootsAsked: { n: number }): ViewFacts {
  return {
    liveRoots: () => {
      rootsAsked.n++;
      return new Set(['1:11']);
    },
    ranges: [
      { hostID: nth(0), size: RANGE_SIZE, holders: [init] }, // running pod
      { hostID: nth(1), size: RANGE_SIZE, holders: [init, creating] }, // a container of it being created
      { hostID: nth(2), size: RANGE_SIZE }, // from before holders
    ],
    inPool: (uid) => uid >= base && uid < nth(8),
    liveness: { bootId: 'b', startTime: (pid) => ({ 10: '1', 100: '7' })[pid], now },
    graceMs: 60_000,
  };
}

const table: Array<[string, ViewCandidate, boolean]> = [
  ['its container\'s root', { path: 'v', mounted: true, root: '1:11', owner: nth(0) }, false],
  ['nobody\'s root, its pod runs, nothing being created', { path: 'v', mounted: true, root: '1:12', owner: nth(0) }, true],
  ['nobody\'s root, its range freed', { path: 'v', mounted: true, root: '1:12', owner: nth(5) }, true],
  ['nobody\'s root yet, a create holds its range', { path: 'v', mounted: true, root: '1:12', owner: nth(1) + 1000 }, false],
  ['on a range from before holders', { path: 'v', mounted: true, root: '1:12', owner: nth(2) }, false],
  ['owned outside the pool: not ours to judge', { path: 'v', mounted: true, root: '1:12', owner: 0 }, false],
  ['a directory never mounted, older than the grace', { path: 'v', mounted: false, ageMs: 60_000 }, true],
  ['a directory never mounted, just made', { path: 'v', mounted: false, ageMs: 1_000 }, false],
];

for (const [name, view, stale] of table) {
  test(`view: ${name} → ${stale ? 'stale' : 'kept'}`, () => {
    assert.equal(staleViews([view], facts({ n: 0 })).length === 1, stale);
  });
}

test('process roots are read only when a view needs them, and once', () => {
  const asked = { n: 0 };
  staleViews([{ path: 'a', mounted: true, owner: nth(1) }, { path: 'b', mounted: false, ageMs: 0 }], facts(asked));
  assert.is(asked.n, 0);
  staleViews([{ path: 'a', mounted: true, owner: nth(0), root: '1:1' }, { path: 'b', mounted: true, owner: nth(5), root: '1:2' }], facts(asked));
  assert.is(asked.n, 1);
});

test('the sweep removes stale views of every namespace and keeps the rest; nothing there costs no scan', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'metassembly-views-'));
  try {
    const views = path.join(dir, 'rootfs');
    const statePath = path.join(dir, 'userns.json');
    const host = fakeHost({ 100: { ppid: 1, start: '7' } });
    const removed: string[] = [];
    const deps = {
      dir: views,
      statePath,
      pool: { start: base, count: 8 },
      processes: host,
      graceMs: 60_000,
      remove: (target: string) => {
        removed.push(target);
        fs.rmdirSync(target);
      },
      now: () => now,
    };
    assert.equal(sweepIdmappedViews({ ...deps, mounts: () => [] }), []);
    assert.is(host.scans, 0);

    const make = (rel: string, uid: number): { path: string; root: string } => {
      const p = path.join(views, rel);
      fs.mkdirSync(p, { recursive: true });
      fs.chownSync(p, uid, uid);
      const st = fs.statSync(p);
      return { path: p, root: `${st.dev}:${st.ino}` };
    };
    const live = make('ns1/live', nth(0));
    const dead = make('ns1/dead', nth(3));
    const other = make('ns2/dead', nth(4));
    const unmounted = make('ns2/never', 0);
    fs.utimesSync(unmounted.path, new Date(now.getTime() - 120_000), new Date(now.getTime() - 120_000));
    host.table.set(100, { ppid: 1, start: '7', root: live.root });
    fs.writeFileSync(statePath, JSON.stringify({
      version: 1,
      next: 0,
      ranges: [{ hostID: nth(0), size: RANGE_SIZE, owner: { partition: 'default', pod: 'ns1/live' }, allocatedAt: now.toISOString(), requested: false, holders: [{ boot: 'boot-1', pid: 100, start: '7', role: 'init' }] }],
    }));
    const mountEntry = (mountPoint: string) => ({ mountPoint, fstype: 'ext4', mountOptions: ['rw', 'idmapped'], superOptions: '' });
    const got = sweepIdmappedViews({ ...deps, mounts: () => [live, dead, other].map((v) => mountEntry(v.path)) });
    assert.equal(got.sort(), [dead.path, other.path, unmounted.path].sort());
    assert.equal(removed.sort(), [dead.path, other.path].sort(), 'mounted views go through the remover');
    assert.ok(fs.existsSync(live.path));
    assert.not.ok(fs.existsSync(path.join(views, 'ns2')), 'an emptied namespace directory goes too');
    assert.is(host.scans, 1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
