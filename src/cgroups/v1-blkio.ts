/** cgroup v1 `blkio` into BlkIOStat, as containerd's blkio.go. */
import { join } from 'node:path';
import { readText } from './cgroupfs';
import type { V1BlkIOEntry, V1BlkIOStat } from './metrics';
import { parseUint, toUint64 } from './uint64';

/** BlkIOStat field <- blkio.<file> of the CFQ (and BFQ-era kernel) recursive stats. */
const RECURSIVE: ReadonlyArray<[keyof V1BlkIOStat, string]> = [
  ['sectorsRecursive', 'sectors_recursive'],
  ['ioServiceBytesRecursive', 'io_service_bytes_recursive'],
  ['ioServicedRecursive', 'io_serviced_recursive'],
  ['ioQueuedRecursive', 'io_queued_recursive'],
  ['ioServiceTimeRecursive', 'io_service_time_recursive'],
  ['ioWaitTimeRecursive', 'io_wait_time_recursive'],
  ['ioMergedRecursive', 'io_merged_recursive'],
  ['ioTimeRecursive', 'time_recursive'],
];

/**
 * When the CFQ files are absent or empty containerd falls back to these two
 * throttle files (the non-recursive ones, as it does) for the same fields.
 */
const THROTTLE: ReadonlyArray<[keyof V1BlkIOStat, string]> = [
  ['ioServicedRecursive', 'throttle.io_serviced'],
  ['ioServiceBytesRecursive', 'throttle.io_service_bytes'],
];

interface RawEntry {
  op: string;
  major: bigint;
  minor: bigint;
  value: bigint;
}

/** "8:0 Read 4096" or "8:0 4096"; the "Total n" line and anything else is skipped. */
function parseEntries(text: string): RawEntry[] {
  const entries: RawEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(/[ :]+/).filter((field) => field !== '');
    if (fields.length !== 3 && fields.length !== 4) continue;
    const major = parseUint(fields[0]);
    const minor = parseUint(fields[1]);
    const value = parseUint(fields[fields.length - 1]);
    if (major === undefined || minor === undefined || value === undefined) continue;
    entries.push({ op: fields.length === 4 ? fields[2] : '', major, minor, value });
  }
  return entries;
}

/** major:minor -> "/dev/<name>", first occurrence wins (containerd's getDevices). */
async function readDevices(procRoot: string): Promise<Map<string, string>> {
  const devices = new Map<string, string>();
  const text = (await readText(join(procRoot, 'partitions'))) ?? '';
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4 || !/^\d+$/.test(fields[0]) || !/^\d+$/.test(fields[1])) continue;
    const key = `${fields[0]}:${fields[1]}`;
    if (!devices.has(key)) devices.set(key, `/dev/${fields[3]}`);
  }
  return devices;
}

interface FileRead {
  field: keyof V1BlkIOStat;
  present: boolean;
  entries: RawEntry[];
}

function readFiles(dir: string, files: ReadonlyArray<[keyof V1BlkIOStat, string]>): Promise<FileRead[]> {
  return Promise.all(
    files.map(async ([field, name]) => {
      const text = await readText(join(dir, `blkio.${name}`));
      return { field, present: text !== undefined, entries: text === undefined ? [] : parseEntries(text) };
    }),
  );
}

const hasEntries = (reads: FileRead[]) => reads.some((read) => read.entries.length > 0);
const anyPresent = (reads: FileRead[]) => reads.some((read) => read.present);

export async function readV1Blkio(dir: string, procRoot: string): Promise<V1BlkIOStat | undefined> {
  const recursive = await readFiles(dir, RECURSIVE);
  const reads = hasEntries(recursive) ? recursive : await readFiles(dir, THROTTLE);
  if (!anyPresent(recursive) && !anyPresent(reads)) return undefined;
  const stat: V1BlkIOStat = {
    ioServiceBytesRecursive: [],
    ioServicedRecursive: [],
    ioQueuedRecursive: [],
    ioServiceTimeRecursive: [],
    ioWaitTimeRecursive: [],
    ioMergedRecursive: [],
    ioTimeRecursive: [],
    sectorsRecursive: [],
  };
  if (!hasEntries(reads)) return stat;
  const devices = await readDevices(procRoot);
  for (const { field, entries } of reads) {
    stat[field] = entries.map(
      (entry): V1BlkIOEntry => ({
        op: entry.op,
        device: devices.get(`${entry.major}:${entry.minor}`) ?? '',
        major: toUint64(entry.major),
        minor: toUint64(entry.minor),
        value: toUint64(entry.value),
      }),
    );
  }
  return stat;
}
