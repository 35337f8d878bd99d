import type { IdMapping } from './sys';

const MAX_ID = 2 ** 32 - 1;

/**
 * Parses a /proc/<pid>/uid_map or gid_map: one "inside outside count" line per extent, the
 * kernel pads each field with spaces. Anything else (a field that is no 32-bit decimal, a
 * line of another shape) throws: the text comes from the kernel, and a misread map must
 * never compare equal to anything.
 */
export function parseIdMapText(text: string): IdMapping[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const fields = line.trim().split(/\s+/);
      if (fields.length !== 3 || !fields.every((f) => /^\d{1,10}$/.test(f) && Number(f) <= MAX_ID)) {
        throw new Error(`not an id map line: ${JSON.stringify(line)}`);
      }
      const [containerID, hostID, size] = fields.map(Number);
      return { containerID, hostID, size };
    });
}

/**
 * The same extents, in any order: the kernel shows a map of more than five extents sorted,
 * not in the order it was written.
 */
export function sameIdMappings(a: readonly IdMapping[], b: readonly IdMapping[]): boolean {
  const key = (mappings: readonly IdMapping[]): string => mappings.map((m) => formatIdMappings([m])).sort().join(',');
  return a.length === b.length && key(a) === key(b);
}

/** "inside outside count" extents, comma-separated, for messages. */
export function formatIdMappings(mappings: readonly IdMapping[]): string {
  return mappings.map((m) => `${m.containerID} ${m.hostID} ${m.size}`).join(', ');
}
