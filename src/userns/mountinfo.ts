/** What /proc/self/mountinfo says about the mount a path is on. */
import { readFileSync } from 'node:fs';

export interface MountEntry {
  mountPoint: string;
  fstype: string;
  /** per-mount options (field 6): "idmapped" appears here for an idmapped mount */
  mountOptions: string[];
  /** the filesystem's own options (after the source), as the kernel shows them */
  superOptions: string;
}

export function parseMountinfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const [left, right] = line.split(' - ');
    const fields = left.split(' ');
    if (fields.length < 6 || right === undefined) continue;
    const [fstype, , superOptions = ''] = right.split(' ');
    entries.push({ mountPoint: unescape(fields[4]), fstype, mountOptions: fields[5].split(','), superOptions });
  }
  return entries;
}

/** The mount a path is on: the last-listed (topmost) mount whose mount point is the path or its nearest ancestor. */
export function mountOf(entries: readonly MountEntry[], path: string): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const e of entries) {
    const covers = e.mountPoint === path || e.mountPoint === '/' || path.startsWith(`${e.mountPoint}/`);
    if (covers && (best === undefined || e.mountPoint.length >= best.mountPoint.length)) best = e;
  }
  return best;
}

export function readMountinfo(file = '/proc/self/mountinfo'): MountEntry[] {
  return parseMountinfo(readFileSync(file, 'utf8'));
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescape(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}
