/**
 * The kernel's CPU and NUMA node list format ("0-3,8,10-11"), as in
 * /sys/devices/system/cpu/online and cpuset.cpus. Pure.
 */
import { InvalidArgumentError } from '../errors';

/** The ids in a list, sorted and without duplicates. An empty (or blank) list is no ids. */
export function parseCpuList(text: string, what = 'cpu list'): number[] {
  const ids = new Set<number>();
  const trimmed = text.trim();
  if (trimmed === '') return [];
  for (const part of trimmed.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new InvalidArgumentError(`${what} ${JSON.stringify(text)}: ${JSON.stringify(part)} is not a number or a range a-b`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) throw new InvalidArgumentError(`${what} ${JSON.stringify(text)}: range ${part} runs backwards`);
    for (let id = from; id <= to; id++) ids.add(id);
  }
  return [...ids].sort((a, b) => a - b);
}

/** The shortest list form: consecutive ids become ranges. */
export function formatCpuList(ids: Iterable<number>): string {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j === i ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
