/**
 * What a container pays at run time: a syscall-heavy loop (one-byte dd, two syscalls per
 * byte, where a seccomp filter costs most) and a file I/O loop (write and read back a file in
 * /tmp of the rootfs, repeatedly), the same static busybox on the host and in each runtime's
 * container, timed by busybox `time` inside the measured environment so container start-up
 * is not counted. CPU time (user + sys) is the figure judged: on a shared 2-core machine the
 * wall clock mostly measures the neighbours.
 */
import { join } from 'node:path';
import { busyboxRootfs, runCommand, type Containerd, type RunResult } from '../test/e2e/harness';
import { failureText, runToCompletion } from './ctr-runs';
import { metric, type Metric, type Place } from './results-model';
import { alternate, type RuntimeUnderTest, type Side } from './runtimes';
import { summarize } from './stats';

export interface InContainerInput {
  cd: Containerd;
  runtimes: Record<Side, RuntimeUnderTest>;
  runs: number;
  syscallLoopBytes: number;
  /** Written and read back in rounds of 32 MiB. */
  fileLoopMiB: number;
  failures: string[];
}

const roundMiB = 32;

// $1 busybox, $2 scratch file, $3 dd bytes, $4 rounds. dd reports nothing (status=none), so
// stderr carries only time's line; the file lives on the rootfs in both places.
const script = [
  'bb=$1 f=$2',
  '$bb time -f "S %e %U %S" $bb dd if=/dev/zero of=/dev/null bs=1 count=$3 status=none 2>&1',
  '$bb time -f "F %e %U %S" $bb sh -c \'i=0; while [ $i -lt $2 ]; do',
  `  $1 dd if=/dev/zero of=$3 bs=4096 count=${roundMiB * 256} status=none; $1 dd if=$3 of=/dev/null bs=4096 status=none`,
  '  i=$((i + 1)); done\' sh $bb $4 $f 2>&1',
  '$bb rm -f $f',
].join('\n');

interface LoopTimes {
  syscallCpu: number;
  syscallWall: number;
  fileCpu: number;
  fileWall: number;
}

function parse(stdout: string): LoopTimes | undefined {
  const at: Record<string, { wall: number; cpu: number }> = {};
  for (const line of stdout.split('\n')) {
    const m = /^([SF]) (\d+\.\d+) (\d+\.\d+) (\d+\.\d+)$/.exec(line.trim());
    if (m) at[m[1]!] = { wall: Number(m[2]) * 1000, cpu: (Number(m[3]) + Number(m[4])) * 1000 };
  }
  if (!at.S || !at.F) return undefined;
  return { syscallCpu: at.S.cpu, syscallWall: at.S.wall, fileCpu: at.F.cpu, fileWall: at.F.wall };
}

export async function inContainerLoops(input: InContainerInput): Promise<Metric[]> {
  const rootfs = busyboxRootfs();
  const bb = join(rootfs, 'bin', 'busybox');
  const rounds = Math.max(1, Math.round(input.fileLoopMiB / roundMiB));
  const counts = [String(input.syscallLoopBytes), String(rounds)];
  const samples: Record<Place, LoopTimes[]> = { ours: [], runc: [], host: [] };
  const record = (place: Place, what: string, r: RunResult): void => {
    const times = r.code === 0 ? parse(r.stdout) : undefined;
    if (times) samples[place].push(times);
    else input.failures.push(failureText(`${what} loops`, r));
  };
  for (let i = 0; i < input.runs; i++) {
    const host = await runCommand(bb, ['sh', '-c', script, 'sh', bb, join(rootfs, 'tmp', `bench-host-${process.pid}`), ...counts], {
      timeoutMs: 300_000,
    });
    record('host', 'host', host);
    for (const rt of alternate(i, input.runtimes)) {
      const id = `${rt.side}-loops-${i}`;
      const { result } = await runToCompletion(input.cd, rt, id, ['sh', '-c', script, 'sh', '/bin/busybox', `/tmp/bench-${id}`, ...counts]);
      record(rt.side, id, result);
    }
  }
  const of = (k: keyof LoopTimes): Partial<Record<Place, ReturnType<typeof summarize>>> => ({
    ours: summarize(samples.ours.map((t) => t[k])),
    runc: summarize(samples.runc.map((t) => t[k])),
    host: summarize(samples.host.map((t) => t[k])),
  });
  const syscalls = `syscall loop (dd bs=1 count=${input.syscallLoopBytes})`;
  const files = `file I/O loop (${rounds} × write + read ${roundMiB} MiB, 4 KiB blocks)`;
  return [
    metric('loop-syscall', `${syscalls}: CPU`, 'ms', of('syscallCpu')),
    metric('loop-syscall-wall', `${syscalls}: wall`, 'ms', of('syscallWall')),
    metric('loop-file', `${files}: CPU`, 'ms', of('fileCpu')),
    metric('loop-file-wall', `${files}: wall`, 'ms', of('fileWall')),
  ];
}
