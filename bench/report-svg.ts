/**
 * The chart: per metric, one bar per containerd version showing ours ÷ reference on a log
 * scale, bars growing from the 1.0 line (up: ours costs more), each target drawn as a red
 * mark over its group. Hand-written SVG, no dependencies.
 */
import type { BenchResult, Metric, Place, VersionResult } from './results-model';
import { targets } from './targets';

interface Bar {
  label: string;
  num: { metric: string; place: Place };
  den: { metric: string; place: Place };
  target?: number;
}

function largestCount(v: VersionResult[], prefix: string): number | undefined {
  const counts = v.flatMap((r) => r.metrics.map((m) => m.id)).filter((id) => id.startsWith(prefix)).map((id) => Number(id.slice(prefix.length)));
  return counts.length > 0 ? Math.max(...counts) : undefined;
}

function bars(r: BenchResult): Bar[] {
  const vsRunc = (metric: string, label: string): Bar => ({ label, num: { metric, place: 'ours' }, den: { metric, place: 'runc' } });
  const targetOf = (metric: string, place: Place): number | undefined =>
    targets.find((t) => t.metric === metric && t.ref.place === place && t.ref.metric === metric)?.max;
  const out: Bar[] = [
    { ...vsRunc('cold', 'cold start'), target: targetOf('cold', 'runc') },
    { ...vsRunc('warm', 'warm start'), target: targetOf('warm', 'runc') },
    vsRunc('cold-create', 'create'),
    vsRunc('cold-start', 'start'),
    vsRunc('cold-delete', 'delete'),
    vsRunc('exec-start', 'start exec'),
    vsRunc('exec-delete', 'delete exec'),
    vsRunc('batch-sequential-total', 'N sequential'),
    vsRunc('batch-parallel-total', 'N parallel'),
  ];
  const n = largestCount(r.versions, 'pss-default-');
  if (n !== undefined) {
    out.push(vsRunc(`pss-default-${n}`, `PSS@${n} default`), vsRunc(`pss-pod-${n}`, `PSS@${n} pod`));
    const t = targets.find((x) => x.metric === `pss-pod-${n}`);
    out.push({ label: `PSS@${n} pod÷default`, num: { metric: `pss-pod-${n}`, place: 'ours' }, den: { metric: `pss-default-${n}`, place: 'runc' }, target: t?.max });
  }
  for (const [metric, label] of [['loop-syscall', 'syscalls ÷ host'], ['loop-file', 'file I/O ÷ host']] as const) {
    out.push({ label, num: { metric, place: 'ours' }, den: { metric, place: 'host' }, target: targets.find((t) => t.metric === metric)?.max });
  }
  return out;
}

function value(metrics: Metric[], ref: { metric: string; place: Place }): number | undefined {
  return metrics.find((m) => m.id === ref.metric)?.values[ref.place]?.median;
}

const colors = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1'];
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderSvg(r: BenchResult): string {
  const items = bars(r);
  const nv = r.versions.length;
  const barW = 19;
  const groupW = nv * barW + 18;
  const left = 60;
  const top = 60;
  const plotH = 300;
  const width = left + items.length * groupW + 20;
  const height = top + plotH + 120;
  const lo = Math.log2(1 / 16);
  const hi = Math.log2(16);
  const y = (ratio: number): number => {
    const l = Math.min(hi, Math.max(lo, Math.log2(ratio)));
    return top + ((hi - l) / (hi - lo)) * plotH;
  };
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">metassembly ÷ runc-v2 (medians, log scale; below 1 = ours cheaper)</text>`,
    `<text x="${left}" y="36" fill="#555">${esc(`${r.date}${r.quick ? ' · quick mode' : ''} · ${r.machine.cpu}, ${r.machine.cores} cores · kernel ${r.machine.kernel}`)}</text>`,
  ];
  for (let e = -4; e <= 4; e++) {
    const ty = y(2 ** e);
    const label = e >= 0 ? String(2 ** e) : `1/${2 ** -e}`;
    parts.push(`<line x1="${left}" x2="${width - 10}" y1="${ty}" y2="${ty}" stroke="${e === 0 ? '#000' : '#ddd'}" stroke-width="${e === 0 ? 1.5 : 1}"/>`);
    parts.push(`<text x="${left - 6}" y="${ty + 4}" text-anchor="end">${label}×</text>`);
  }
  items.forEach((item, i) => {
    const gx = left + i * groupW + 9;
    r.versions.forEach((v, k) => {
      const a = value(v.metrics, item.num);
      const b = value(v.metrics, item.den);
      if (a === undefined || b === undefined || a <= 0 || b <= 0) return;
      const ratio = a / b;
      const y1 = y(ratio);
      const y0 = y(1);
      const x = gx + k * barW;
      parts.push(`<rect x="${x}" y="${Math.min(y0, y1)}" width="${barW - 2}" height="${Math.max(1, Math.abs(y1 - y0))}" fill="${colors[k % colors.length]}"><title>${esc(`${item.label}, containerd ${v.version}: ${ratio.toFixed(2)}×`)}</title></rect>`);
      const ty = ratio >= 1 ? y1 - 3 : y1 + 10;
      parts.push(`<text x="${x + barW / 2 - 1}" y="${ty}" font-size="8" text-anchor="middle">${ratio < 10 ? ratio.toFixed(2) : Math.round(ratio)}</text>`);
    });
    if (item.target !== undefined) {
      const ty = y(item.target);
      parts.push(`<line x1="${gx - 4}" x2="${gx + nv * barW + 2}" y1="${ty}" y2="${ty}" stroke="#d62728" stroke-width="2" stroke-dasharray="4 2"><title>target ${item.target}×</title></line>`);
    }
    const lx = gx + (nv * barW) / 2;
    const ly = top + plotH + 12;
    parts.push(`<text x="${lx}" y="${ly}" text-anchor="end" transform="rotate(-40 ${lx} ${ly})">${esc(item.label)}</text>`);
  });
  const legendY = top + plotH + 105;
  r.versions.forEach((v, k) => {
    const x = left + k * 130;
    parts.push(`<rect x="${x}" y="${legendY - 9}" width="10" height="10" fill="${colors[k % colors.length]}"/>`);
    parts.push(`<text x="${x + 14}" y="${legendY}">containerd ${esc(v.version)}</text>`);
  });
  const tx = left + nv * 130;
  parts.push(`<line x1="${tx}" x2="${tx + 20}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="#d62728" stroke-width="2" stroke-dasharray="4 2"/>`);
  parts.push(`<text x="${tx + 24}" y="${legendY}">target (issue 6)</text>`);
  parts.push('</svg>', '');
  return parts.join('\n');
}
