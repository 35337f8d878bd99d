/** The markdown report: header, targets per version, then every metric per version. */
import { cell, ratio, times } from './format';
import type { BenchResult, VersionResult } from './results-model';
import { judge, targets } from './targets';

function header(r: BenchResult): string[] {
  const m = r.machine;
  return [
    '# metassembly vs containerd-shim-runc-v2',
    '',
    `- Date: ${r.date}${r.quick ? ' (quick mode: small counts, indicative only)' : ''}; whole run ${Math.round(r.durationS)} s`,
    `- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB; kernel ${m.kernel}; cgroup ${m.cgroupMode}`,
    `- Load average (1 min) at start / end: ${r.load.start.toFixed(2)} / ${r.load.end.toFixed(2)} (anything above 0 is other work sharing the cores)`,
    `- Node: embedded in the shim ${m.shimNode} (bench harness ${m.benchNode}); ${m.runc}`,
    `- Shim under test: ${m.shim}`,
    `- containerd: ${r.versions.map((v) => v.version).join(', ')} (each a fresh private daemon, debug log level)`,
    '',
    'How to read: each cell is the median with the 10th–90th percentile and the number of runs;',
    'memory cells are single samples. Ratios are ours ÷ runc-v2 (or ÷ host) of the medians:',
    'below 1.00× ours is cheaper. Cold = a new shim per container; warm = joining a running',
    "shim group; the create/start/delete split comes from containerd's event timestamps.",
    '',
  ];
}

function targetTable(r: BenchResult): string[] {
  const verdicts = r.versions.map(judge);
  const shown = targets.filter((t) => verdicts.some((vs) => vs.some((v) => v.target === t)));
  return [
    '## Targets',
    '',
    `| target | ${r.versions.map((v) => `containerd ${v.version}`).join(' | ')} |`,
    `|---|${r.versions.map(() => '---|').join('')}`,
    ...shown.map((t) => {
      const cells = verdicts.map((vs) => {
        const v = vs.find((x) => x.target === t);
        return v ? `${times(v.ratio)} ${v.status}` : '—';
      });
      return `| ${t.label} | ${cells.join(' | ')} |`;
    }),
    '',
  ];
}

function versionTable(v: VersionResult): string[] {
  const lines = [
    `## containerd ${v.version}`,
    '',
    '| metric | ours | runc-v2 | ours / runc-v2 | host | ours / host |',
    '|---|---|---|---|---|---|',
  ];
  for (const m of v.metrics) {
    const { ours, runc, host } = m.values;
    const vsHost = host ? times(ratio(ours, host)) : '—';
    lines.push(`| ${m.label} | ${cell(ours, m.unit)} | ${cell(runc, m.unit)} | ${times(ratio(ours, runc))} | ${cell(host, m.unit)} | ${vsHost} |`);
  }
  if (v.failures.length > 0) {
    lines.push('', `${v.failures.length} failed run(s), left out of the figures:`, '');
    for (const f of v.failures.slice(0, 10)) lines.push(`- ${f.replace(/\|/g, '\\|')}`);
    if (v.failures.length > 10) lines.push(`- … and ${v.failures.length - 10} more (latest.json has all)`);
  }
  lines.push('');
  return lines;
}

export function renderMarkdown(r: BenchResult): string {
  const lines = [...header(r), ...targetTable(r), ...r.versions.flatMap(versionTable)];
  if (r.leaks.length > 0) lines.push('## Left behind (removed by the final clean-up)', '', 'Sockets and fifos carry no owner: those of other runs on this machine may be among them.', '', ...r.leaks.map((l) => `- ${l}`), '');
  return lines.join('\n');
}
