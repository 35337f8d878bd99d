/** cgroup v2 io.stat into IOEntry[], as containerd's readIoStats. */
import type { V2IOEntry } from './metrics';
import { parseUint, toUint64 } from './uint64';

const KEYS = ['rbytes', 'wbytes', 'rios', 'wios'] as const;

/** "8:16 rbytes=1459200 wbytes=314773504 rios=192 wios=353 dbytes=0 dios=0" per device. */
export function parseIoStat(text: string): V2IOEntry[] {
  const usage: V2IOEntry[] = [];
  for (const line of text.split('\n')) {
    const [device, ...pairs] = line.trim().split(/\s+/);
    const majmin = /^(\d+):(\d+)$/.exec(device);
    if (!majmin || pairs.length === 0) continue;
    const entry: V2IOEntry = {
      major: toUint64(BigInt(majmin[1])),
      minor: toUint64(BigInt(majmin[2])),
      rbytes: 0,
      wbytes: 0,
      rios: 0,
      wios: 0,
    };
    for (const pair of pairs) {
      const [key, value] = pair.split('=');
      const parsed = value === undefined ? undefined : parseUint(value);
      if (parsed !== undefined && (KEYS as readonly string[]).includes(key)) entry[key as (typeof KEYS)[number]] = toUint64(parsed);
    }
    usage.push(entry);
  }
  return usage;
}
