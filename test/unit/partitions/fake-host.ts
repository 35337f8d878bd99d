/** A sysfs/procfs tree of a host for the topology reader, written to a temp directory. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A sysfs/procfs tree of a 2-node host with 2 cores of 2 threads per node. */
export function fakeHost(): string {
  const root = mkdtempSync(join(tmpdir(), 'metassembly-topology-'));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write('proc/meminfo', 'MemTotal:       16777216 kB\nMemFree:        1 kB\n');
  write('sys/devices/system/cpu/online', '0-7\n');
  // Node 0: cores 0,1 (threads 0,4 and 1,5); node 1: cores 0,1 of socket 1 (threads 2,6 and 3,7).
  const layout: Array<[number, number, number]> = [[0, 0, 0], [1, 1, 0], [2, 0, 1], [3, 1, 1], [4, 0, 0], [5, 1, 0], [6, 0, 1], [7, 1, 1]];
  for (const [cpu, core, socket] of layout) {
    write(`sys/devices/system/cpu/cpu${cpu}/topology/core_id`, `${core}\n`);
    write(`sys/devices/system/cpu/cpu${cpu}/topology/physical_package_id`, `${socket}\n`);
  }
  write('sys/devices/system/node/node0/cpulist', '0-1,4-5\n');
  write('sys/devices/system/node/node0/meminfo', 'Node 0 MemTotal:       8388608 kB\nNode 0 MemFree: 1 kB\n');
  write('sys/devices/system/node/node1/cpulist', '2-3,6-7\n');
  write('sys/devices/system/node/node1/meminfo', 'Node 1 MemTotal:       8388608 kB\n');
  write('sys/devices/system/node/online', '0-1\n');
  return root;
}

