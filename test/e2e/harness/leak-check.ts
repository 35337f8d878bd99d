import { execFileSync } from 'node:child_process';
import { existsSync, rmdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { NativeSys } from '../../../src/sys/native-sys';
import { UsernsAllocator } from '../../../src/userns/allocator';
import {
  fifoDir,
  idmappedViewDir,
  stagedSysfsDir,
  listCgroupDirs,
  listEntries,
  listMountPoints,
  listProcesses,
  listUsernsPods,
  openPathsByPid,
  runcStateDir,
  shimSocketDir,
} from './host-state';
import { tidyNamespace } from './namespace-residue';
import { removeScratchDir, scratchDirsLeft, scratchPrefix, testNamespace } from './scratch';

export interface LeakCheckOptions {
  /** The ctr namespace the test used (default: this run's testNamespace). */
  namespace?: string;
  /** More strings that mark a process cmdline, mount point or cgroup path as this test's. */
  tags?: string[];
}

type Leak =
  | { kind: 'process'; pid: number; what: string }
  | { kind: 'mount' | 'cgroup' | 'socket' | 'fifo' | 'runc-state' | 'scratch' | 'idmapped-view' | 'staged-sysfs'; path: string }
  | { kind: 'userns-range'; partition: string; pod: string };

export interface LeakCheck {
  /** Human-readable leaks since the snapshot; empty when the test cleaned up after itself. */
  leaks(): string[];
  /** Removes whatever leaked, so one failed test does not poison the next. */
  cleanup(): Promise<void>;
}

function describe(l: Leak): string {
  if (l.kind === 'process') return `process ${l.pid}: ${l.what}`;
  if (l.kind === 'userns-range') return `userns-range: pod ${l.pod} of partition "${l.partition}" still holds a range`;
  return `${l.kind}: ${l.path}`;
}

/**
 * Snapshots the host now; leaks() later lists what appeared since and still exists: shim,
 * runtime and container processes, mounts, cgroups, shim sockets, ctr fifos, runc state, our
 * shim's idmapped rootfs view directories, its pods' staged sysfs and user-namespace ranges.
 * Only objects that can be tied to this test run count, so tests of other runs on the same
 * machine are not reported.
 */
export function leakCheck(opts: LeakCheckOptions = {}): LeakCheck {
  const ns = opts.namespace ?? testNamespace;
  const nsWord = new RegExp(`(^|[^\\w-])${ns}($|[^\\w-])`);
  const tags = [scratchPrefix, ...(opts.tags ?? [])];
  const ours = (text: string): boolean => nsWord.test(text) || tags.some((t) => text.includes(t));
  // The namespace-level directories are shared residue of every container in it: runc never
  // removes them. Teardown tidies them; what is below them is the leak.
  const nsLevel = (p: string): boolean => basename(p) === ns;

  const before = {
    pids: new Set(listProcesses().map((p) => p.pid)),
    mounts: new Set(listMountPoints()),
    cgroups: new Set(listCgroupDirs()),
    sockets: new Set(listEntries(shimSocketDir)),
    fifos: new Set(listEntries(fifoDir)),
    runc: new Set(listEntries(runcStateDir, true)),
    ranges: new Set(listUsernsPods().map((r) => `${r.partition} ${r.pod}`)),
    staged: new Set(listEntries(join(stagedSysfsDir, ns))),
  };
  const viewNsDir = join(idmappedViewDir, ns);

  const find = (): Leak[] => {
    const leaks: Leak[] = [];
    const procs = listProcesses().filter(
      (p) => p.pid !== process.pid && !before.pids.has(p.pid) && (ours(p.cmdline) || ours(p.cgroups)),
    );
    for (const p of procs) leaks.push({ kind: 'process', pid: p.pid, what: p.cmdline.slice(0, 300) });

    for (const m of listMountPoints()) {
      if (!before.mounts.has(m) && ours(m)) leaks.push({ kind: 'mount', path: m });
    }
    for (const c of listCgroupDirs()) {
      if (!before.cgroups.has(c) && ours(c) && !nsLevel(c)) leaks.push({ kind: 'cgroup', path: c });
    }
    for (const r of listEntries(runcStateDir, true)) {
      if (!before.runc.has(r) && ours(r) && !nsLevel(r)) leaks.push({ kind: 'runc-state', path: r });
    }

    // Socket and fifo names carry no owner, so a new one counts unless a live process of
    // another test run holds it open.
    const held = openPathsByPid();
    const cmdlines = new Map(listProcesses().map((p) => [p.pid, p.cmdline]));
    const foreign = (path: string): boolean =>
      [...held].some(
        ([pid, paths]) =>
          pid !== process.pid &&
          !ours(cmdlines.get(pid) ?? '') &&
          [...paths].some((h) => h === path || h.startsWith(path + '/')),
      );
    for (const s of listEntries(shimSocketDir)) {
      if (!before.sockets.has(s) && !foreign(s)) leaks.push({ kind: 'socket', path: s });
    }
    for (const f of listEntries(fifoDir)) {
      if (!before.fifos.has(f) && !foreign(f)) leaks.push({ kind: 'fifo', path: f });
    }
    // The namespace's view directory goes with its last view (process/rootfs.ts): it is a leak too.
    for (const v of [...listEntries(viewNsDir), viewNsDir]) {
      if (existsSync(v)) leaks.push({ kind: 'idmapped-view', path: v });
    }
    for (const r of listUsernsPods()) {
      if (r.pod.startsWith(`${ns}/`) && !before.ranges.has(`${r.partition} ${r.pod}`)) leaks.push({ kind: 'userns-range', ...r });
    }
    // A pod's staged sysfs goes with its sandbox (task/pod-network-host.ts).
    for (const d of listEntries(join(stagedSysfsDir, ns))) {
      if (!before.staged.has(d)) leaks.push({ kind: 'staged-sysfs', path: d });
    }
    for (const d of scratchDirsLeft()) leaks.push({ kind: 'scratch', path: d });
    return leaks;
  };

  return {
    leaks: () => find().map(describe),
    cleanup: async () => {
      let leaks = find();
      for (const l of leaks) {
        if (l.kind !== 'process') continue;
        try {
          process.kill(l.pid, 'SIGKILL');
        } catch {
          // exited meanwhile
        }
      }
      // Killed processes leave their cgroups only once reaped.
      if (leaks.some((l) => l.kind === 'process')) {
        await new Promise((r) => setTimeout(r, 500));
        leaks = find();
      }
      const paths = (kind: Leak['kind']): string[] =>
        leaks
          .filter((l): l is Extract<Leak, { path: string }> => l.kind === kind)
          .map((l) => l.path)
          .sort((a, b) => b.length - a.length); // deepest first
      for (const m of paths('mount')) {
        try {
          execFileSync('umount', ['--lazy', m], { stdio: 'ignore' });
        } catch {
          // already gone with its parent
        }
      }
      for (const c of paths('cgroup')) {
        try {
          rmdirSync(c);
        } catch {
          // still populated: left for the next report
        }
      }
      // Another run on the machine may have just created a socket or fifo directory that its
      // shim or ctr has not opened yet: only what nobody holds on a second look is ours to remove.
      const loose = [...paths('socket'), ...paths('fifo')];
      if (loose.length > 0) {
        await new Promise((r) => setTimeout(r, 1000));
        const still = new Set(find().map((l) => ('path' in l ? l.path : '')));
        for (const p of loose) if (still.has(p)) rmSync(p, { recursive: true, force: true });
      }
      for (const p of paths('runc-state')) rmSync(p, { recursive: true, force: true });
      // Unmounted above with the other mounts: only empty directories are left to remove.
      for (const p of paths('idmapped-view')) {
        try {
          rmdirSync(p);
        } catch {
          // still mounted or not empty: left for the next report
        }
      }
      for (const d of paths('staged-sysfs')) {
        try {
          execFileSync('umount', ['--lazy', join(d, 'sys')], { stdio: 'ignore' });
        } catch {
          // not mounted
        }
        rmSync(d, { recursive: true, force: true });
      }
      // Only this run's pods' entries, under the allocator's lock: the file is the host's.
      for (const l of leaks) {
        if (l.kind !== 'userns-range') continue;
        await new UsernsAllocator({ sys: new NativeSys(), partition: l.partition }).release(l.pod).catch(() => undefined);
      }
      tidyNamespace(ns);
      for (const d of paths('scratch')) removeScratchDir(d);
    },
  };
}
