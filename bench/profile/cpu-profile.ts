/**
 * V8 CPU profiles (`--cpu-prof`, here baked into a variant's execArgv) of several runs of
 * one command, folded into the functions that took the most time, inclusive of callees.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface HotFunction {
  name: string;
  /** Mean milliseconds per run with this function on the stack. */
  inclusiveMs: number;
}

function frameName(n: ProfileNode): string {
  const { functionName, url, lineNumber } = n.callFrame;
  const where = url.replace(/^.*\/dist\/\.sea\//, '').replace(/^file:\/\/.*\/(?=bundle\.js)/, '');
  return `${functionName || '(anonymous)'} ${where}${where ? `:${lineNumber + 1}` : ''}`;
}

/** The top functions of every .cpuprofile in dir, and the mean sampled time per run. */
export function hotFunctions(dir: string, top: number): { perRunMs: number; runs: number; functions: HotFunction[] } {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const inclusive = new Map<string, number>();
  let total = 0;
  for (const file of files) {
    const p = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    p.samples.forEach((id, i) => {
      const ms = (p.timeDeltas[i + 1] ?? 0) / 1000;
      total += ms;
      const seen = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const name = frameName(byId.get(at)!);
        if (seen.has(name)) continue;
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + ms);
      }
    });
  }
  const runs = Math.max(files.length, 1);
  const functions = [...inclusive]
    .filter(([name]) => !name.startsWith('(root)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ms]) => ({ name, inclusiveMs: ms / runs }));
  return { perRunMs: total / runs, runs: files.length, functions };
}
