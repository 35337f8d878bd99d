/**
 * Temp cgroupfs and procfs trees for the cgroups tests. The v1 contents are
 * samples of this host's real files (kernel 6.18, hybrid layout); the v2
 * contents follow the formats in the kernel's cgroup-v2 documentation.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export type Files = Record<string, string>;

export interface Tree {
  dir: string;
  write(files: Files): void;
  remove(): void;
}

export function tempTree(files: Files = {}): Tree {
  const dir = mkdtempSync(join(tmpdir(), 'metassembly-cgroups-'));
  const tree: Tree = {
    dir,
    write(more) {
      for (const [path, content] of Object.entries(more)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), content);
      }
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  tree.write(files);
  return tree;
}

/** Prefixes every path of `files` with `dir/`. */
export function under(dir: string, files: Files): Files {
  return Object.fromEntries(Object.entries(files).map(([path, content]) => [`${dir}/${path}`, content]));
}

/** A container's /proc/<pid>/cgroup on this host's hybrid layout (cpu and cpuacct mounted apart). */
export function v1ProcCgroup(path: string): string {
  return [
    `9:name=systemd:${path}`,
    `8:pids:${path}`,
    `7:blkio:${path}`,
    `6:freezer:${path}`,
    `5:devices:${path}`,
    `4:memory:${path}`,
    `3:cpuset:${path}`,
    `2:cpuacct:${path}`,
    `1:cpu:${path}`,
    '0::/',
    '',
  ].join('\n');
}

export const V1_MEMORY: Files = {
  'memory.stat': `cache 344064
rss 1699840
rss_huge 0
shmem 0
mapped_file 155648
dirty 24576
writeback 0
workingset_refault_anon 0
workingset_refault_file 71
swap 0
swapcached 0
pgpgin 15685
pgpgout 15186
pgfault 38379
pgmajfault 7
inactive_anon 1642496
active_anon 12288
inactive_file 106496
active_file 237568
unevictable 0
hierarchical_memory_limit 9223372036854771712
hierarchical_memsw_limit 9223372036854771712
total_cache 344064
total_rss 1699840
total_rss_huge 0
total_shmem 0
total_mapped_file 155648
total_dirty 24576
total_writeback 0
total_workingset_refault_anon 0
total_workingset_refault_file 71
total_swap 0
total_swapcached 0
total_pgpgin 15685
total_pgpgout 15186
total_pgfault 38379
total_pgmajfault 7
total_inactive_anon 1642496
total_active_anon 12288
total_inactive_file 106496
total_active_file 237568
total_unevictable 0
`,
  'memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n',
  'memory.usage_in_bytes': '3448832\n',
  'memory.limit_in_bytes': '9223372036854771712\n',
  'memory.max_usage_in_bytes': '4235264\n',
  'memory.failcnt': '0\n',
  'memory.memsw.usage_in_bytes': '3624960\n',
  'memory.memsw.limit_in_bytes': '9223372036854771712\n',
  'memory.memsw.max_usage_in_bytes': '4411392\n',
  'memory.memsw.failcnt': '0\n',
  'memory.kmem.usage_in_bytes': '1503232\n',
  'memory.kmem.limit_in_bytes': '9223372036854771712\n',
  'memory.kmem.max_usage_in_bytes': '2347008\n',
  'memory.kmem.failcnt': '0\n',
  'memory.kmem.tcp.usage_in_bytes': '0\n',
  'memory.kmem.tcp.limit_in_bytes': '9223372036854771712\n',
  'memory.kmem.tcp.max_usage_in_bytes': '0\n',
  'memory.kmem.tcp.failcnt': '0\n',
  'cgroup.procs': '4242\n4250\n',
  'cgroup.event_control': '',
};

export const V1_CPUACCT: Files = {
  'cpuacct.stat': 'user 4029\nsystem 2821\n',
  'cpuacct.usage': '68538735695\n',
  'cpuacct.usage_percpu': '28105876908 40440892443 \n',
  'cgroup.procs': '4242\n4250\n',
};

export const V1_CPU: Files = {
  'cpu.stat': 'nr_periods 120\nnr_throttled 7\nthrottled_time 351212009\nnr_bursts 0\nburst_time 0\n',
  'cgroup.procs': '4242\n4250\n',
};

export const V1_PIDS: Files = { 'pids.current': '2\n', 'pids.max': 'max\n', 'cgroup.procs': '4242\n4250\n' };

/** This host's blkio: no CFQ files, BFQ and throttle files instead. */
export const V1_BLKIO: Files = {
  'blkio.throttle.io_service_bytes': '254:0 Read 1257472\n254:0 Write 8192\n254:0 Sync 1265664\n254:0 Async 0\n254:0 Discard 0\n254:0 Total 1265664\nTotal 1265664\n',
  'blkio.throttle.io_serviced': '254:0 Read 37\n254:0 Write 2\n254:0 Sync 39\n254:0 Async 0\n254:0 Discard 0\n254:0 Total 39\nTotal 39\n',
  'blkio.throttle.io_service_bytes_recursive': '254:0 Read 1257472\n254:0 Write 8192\nTotal 1265664\n',
  'blkio.throttle.io_serviced_recursive': '254:0 Read 37\n254:0 Write 2\nTotal 39\n',
  'blkio.bfq.io_service_bytes_recursive': 'Total 0\n',
  'cgroup.procs': '4242\n4250\n',
};

export const V1_HUGETLB: Files = {
  'hugetlb.2MB.usage_in_bytes': '4194304\n',
  'hugetlb.2MB.max_usage_in_bytes': '6291456\n',
  'hugetlb.2MB.failcnt': '1\n',
  'hugetlb.2MB.limit_in_bytes': '9223372036854771712\n',
  'hugetlb.2MB.rsvd.usage_in_bytes': '0\n',
  'hugetlb.1GB.usage_in_bytes': '0\n',
  'hugetlb.1GB.max_usage_in_bytes': '0\n',
  'hugetlb.1GB.failcnt': '0\n',
  'cgroup.procs': '4242\n4250\n',
};

/** This host's /proc/partitions. */
export const PARTITIONS = 'major minor  #blocks  name\n\n 254        0  268435456 vda\n';

export const V2_CGROUP: Files = {
  'cgroup.controllers': 'cpu io memory hugetlb pids\n',
  'cgroup.procs': '5100\n',
  'cpu.stat': `usage_usec 1843021
user_usec 1200409
system_usec 642612
core_sched.force_idle_usec 0
nr_periods 260
nr_throttled 12
throttled_usec 84520
nr_bursts 0
burst_usec 0
`,
  'cpu.pressure': 'some avg10=1.25 avg60=0.40 avg300=0.08 total=912345\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=20391\n',
  'memory.stat': `anon 2191360
file 8523776
kernel 1323008
kernel_stack 98304
pagetables 180224
sec_pagetables 0
percpu 2880
sock 4096
vmalloc 8192
shmem 0
zswap 0
zswapped 0
file_mapped 3538944
file_dirty 12288
file_writeback 0
swapcached 0
anon_thp 0
file_thp 0
shmem_thp 0
inactive_anon 2170880
active_anon 20480
inactive_file 6103040
active_file 2420736
unevictable 0
slab_reclaimable 702112
slab_unreclaimable 318976
slab 1021088
workingset_refault_anon 0
workingset_refault_file 3
workingset_activate_anon 0
workingset_activate_file 1
workingset_restore_anon 0
workingset_restore_file 0
workingset_nodereclaim 0
pgscan 0
pgsteal 0
pgscan_kswapd 0
pgscan_direct 0
pgscan_khugepaged 0
pgsteal_kswapd 0
pgsteal_direct 0
pgsteal_khugepaged 0
pgfault 5218
pgmajfault 31
pgrefill 0
pgactivate 592
pgdeactivate 0
pglazyfree 0
pglazyfreed 0
zswpin 0
zswpout 0
zswpwb 0
thp_fault_alloc 0
thp_collapse_alloc 0
thp_swpout 0
thp_swpout_fallback 0
`,
  'memory.current': '12095488\n',
  'memory.max': '268435456\n',
  'memory.peak': '14680064\n',
  'memory.swap.current': '0\n',
  'memory.swap.max': 'max\n',
  'memory.swap.peak': '0\n',
  'memory.events': 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n',
  'memory.pressure': 'some avg10=0.00 avg60=0.00 avg300=0.00 total=1042\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=1001\n',
  'pids.current': '3\n',
  'pids.max': 'max\n',
  'io.stat': '8:16 rbytes=1459200 wbytes=314773504 rios=192 wios=353 dbytes=0 dios=0\n254:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n',
  'io.pressure': 'some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n',
  'hugetlb.2MB.current': '2097152\n',
  'hugetlb.2MB.max': 'max\n',
  'hugetlb.2MB.events': 'max 0\n',
  'hugetlb.2MB.rsvd.current': '0\n',
  'hugetlb.1GB.current': '0\n',
  'hugetlb.1GB.max': '0\n',
};
