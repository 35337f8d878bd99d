import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeadlineExceededError, FailedPreconditionError } from '../../../src/errors';
import { eventually } from './eventually';
import { containerdVersion, repoRoot, runCommand, testNamespace, type RunResult } from '../harness';

const shim = join(repoRoot, 'shim', 'dev', 'containerd-shim-metassembly-v2');

/** The fields of a partition's state file (`partition show`) that tests read. */
export interface PartitionInfo {
  name: string;
  cgroup: { path: string };
  paths: { shimConfig: string; grpcAddress: string; runDir: string };
}

/** Private state/run trees, so partitions made by a test never touch the host's. */
export function partitionEnv(scratch: string): NodeJS.ProcessEnv {
  return { ...process.env, METASSEMBLY_STATE_DIR: join(scratch, 'state'), METASSEMBLY_RUN_DIR: join(scratch, 'run') };
}

/** Runs `containerd-shim-metassembly-v2 partition <args>` against a scratch tree. */
export function partitionCommand(scratch: string, args: string[]): Promise<RunResult> {
  return runCommand(shim, ['partition', ...args], { env: partitionEnv(scratch), timeoutMs: 30_000 });
}

export async function createPartition(scratch: string, name: string, flags: string[]): Promise<PartitionInfo> {
  const made = await partitionCommand(scratch, ['create', name, ...flags]);
  if (made.code !== 0) throw new FailedPreconditionError(`partition create ${name}: ${made.stdout}${made.stderr}`);
  return JSON.parse(readFileSync(join(scratch, 'state', `${name}.json`), 'utf8')) as PartitionInfo;
}

/** A partition's private containerd, started by scripts/partition-containerd.sh. */
export interface PartitionContainerd {
  ctr(args: readonly string[], timeoutMs?: number): Promise<RunResult>;
  /** Starts `ctr events` until the returned function is called, which resolves to its output. */
  events(): () => Promise<string>;
  stop(): Promise<void>;
  log(): string;
}

export async function startPartitionContainerd(scratch: string, part: PartitionInfo, startTimeoutMs = 20_000): Promise<PartitionContainerd> {
  const ctrBin = containerdVersion('1.6').ctr;
  const child = spawn('bash', [join(repoRoot, 'scripts', 'partition-containerd.sh'), part.name], {
    env: { ...partitionEnv(scratch), CONTAINERD: '1.6' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Buffer[] = [];
  child.stdout!.on('data', (b: Buffer) => logs.push(b));
  child.stderr!.on('data', (b: Buffer) => logs.push(b));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const base = ['--address', part.paths.grpcAddress, '--namespace', testNamespace];
  const ctr = (args: readonly string[], timeoutMs = 60_000): Promise<RunResult> =>
    runCommand(ctrBin, [...base, ...args], { timeoutMs });
  const log = (): string => Buffer.concat(logs).toString('utf8');

  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new FailedPreconditionError(`containerd of ${part.name} exited: ${log()}`);
    if ((await ctr(['version'], 5_000)).code === 0) break;
    if (Date.now() > deadline) {
      await stopChild(child, exited);
      throw new DeadlineExceededError(`containerd of ${part.name} did not answer: ${log()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    ctr,
    log,
    events: () => {
      const ev = spawn(ctrBin, [...base, 'events'], { stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      ev.stdout!.on('data', (b: Buffer) => out.push(b));
      const done = new Promise<void>((r) => ev.once('exit', () => r()));
      return async () => {
        ev.kill('SIGTERM');
        await done;
        return Buffer.concat(out).toString('utf8');
      };
    },
    stop: () => stopChild(child, exited),
  };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Kills a task with SIGKILL, deletes it once it has stopped, then deletes its container:
 * a partition test's teardown, with `stopMs` for the task to be gone and `ctrMs` per ctr call.
 */
export async function removeTask(cd: PartitionContainerd, id: string, stopMs: number, ctrMs = 60_000): Promise<void> {
  const kill = await cd.ctr(['task', 'kill', '--signal', 'SIGKILL', id], ctrMs);
  await eventually(
    async () => (await cd.ctr(['task', 'delete', id], ctrMs)).stderr,
    (err) => err === '' || /not found/.test(err),
    { timeoutMs: stopMs, what: `task delete ${id} (kill: ${kill.code} ${kill.stderr.trim()})` },
  );
  const removed = await cd.ctr(['container', 'delete', id], ctrMs);
  if (removed.code !== 0) throw new FailedPreconditionError(`container delete ${id}: ${removed.stdout}${removed.stderr}`);
}

/** Runs `fn` over items with at most `width` in flight, keeping the results in order. */
export async function inBatches<T, R>(items: readonly T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}

/** The cgroup path of a process in one v1 controller hierarchy (the `memory` line, say). */
export function cgroupOf(pid: number, controller: string): string {
  const line = readFileSync(`/proc/${pid}/cgroup`, 'utf8')
    .split('\n')
    .find((l) => l.split(':')[1]?.split(',').includes(controller));
  if (!line) throw new FailedPreconditionError(`process ${pid} has no ${controller} cgroup`);
  return line.split(':').slice(2).join(':');
}
