/** Pressure stall information (cpu.pressure, memory.pressure, io.pressure) as PSIStats. */
import { readText } from './cgroupfs';
import type { V2PSIData, V2PSIStats } from './metrics';
import { parseUint, toUint64 } from './uint64';

/** "some avg10=0.00 avg60=0.00 avg300=0.00 total=0"; a line that does not parse is left out. */
function parseLine(fields: string[]): V2PSIData | undefined {
  const values = new Map<string, string>();
  for (const field of fields) {
    const eq = field.indexOf('=');
    if (eq > 0) values.set(field.slice(0, eq), field.slice(eq + 1));
  }
  const averages = ['avg10', 'avg60', 'avg300'].map((key) => Number(values.get(key) ?? 0));
  const total = parseUint(values.get('total') ?? '0');
  if (averages.some(Number.isNaN) || total === undefined) return undefined;
  return { avg10: averages[0], avg60: averages[1], avg300: averages[2], total: toUint64(total) };
}

export function parsePsi(text: string): V2PSIStats {
  const stats: V2PSIStats = {};
  for (const line of text.split('\n')) {
    const [kind, ...fields] = line.trim().split(/\s+/);
    if (kind !== 'some' && kind !== 'full') continue;
    const data = parseLine(fields);
    if (data) stats[kind] = data;
  }
  return stats;
}

/** Undefined when the kernel has no PSI (file missing), as containerd leaves psi nil. */
export async function readPsi(path: string): Promise<V2PSIStats | undefined> {
  const text = await readText(path);
  return text === undefined ? undefined : parsePsi(text);
}
