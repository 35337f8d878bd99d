/** The probe's JSON lines, parsed, and printed as a table. */
export interface ProbeResult {
  name: string;
  blocked: boolean;
  detail: string;
}

export interface ProbeReport {
  results: ProbeResult[];
  summary?: { total: number; blocked: number; open: string[] };
  /** lines that were not JSON (a crash message, a shell error) */
  other: string[];
}

export function parseProbeOutput(stdout: string): ProbeReport {
  const report: ProbeReport = { results: [], other: [] };
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      report.other.push(line);
      continue;
    }
    const v = value as Record<string, unknown>;
    if (v.summary === true) report.summary = v as unknown as ProbeReport['summary'];
    else report.results.push(v as unknown as ProbeResult);
  }
  return report;
}

export function formatProbeTable(title: string, report: ProbeReport): string {
  const width = Math.max(...report.results.map((r) => r.name.length), 4);
  const rows = report.results.map((r) => `  ${r.name.padEnd(width)}  ${r.blocked ? 'blocked' : 'OPEN   '}  ${r.detail.slice(0, 150)}`);
  const s = report.summary;
  const tail = s ? `  ${s.blocked}/${s.total} blocked; open: ${s.open.join(', ') || 'none'}` : '  (no summary line: the probe did not finish)';
  return [`--- escape probe: ${title} ---`, ...rows, tail, ...report.other.map((l) => `  | ${l}`)].join('\n');
}
