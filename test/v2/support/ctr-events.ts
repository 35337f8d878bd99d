/** `ctr events` of a private containerd, collected in the background while a test runs. */
import { spawn } from 'node:child_process';
import type { Containerd } from '../../e2e/harness';

export interface EventStream {
  /** The topics seen so far, in order (e.g. "/tasks/oom"). */
  topics(): string[];
  /** Everything ctr printed, for failure messages. */
  text(): string;
  stop(): Promise<void>;
}

/** Starts `ctr events`; resolves once ctr is connected (its first subscribe cannot be seen, so a short wait). */
export async function collectEvents(cd: Containerd): Promise<EventStream> {
  const child = spawn(cd.version.ctr, ['--address', cd.address, '--namespace', cd.namespace, 'events'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // ctr events prints "<timestamp> <topic> <event>" per line; a slow (emulated) start needs a moment.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  return {
    topics: () =>
      out
        .split('\n')
        .map((line) => line.split(' ').find((word) => word.startsWith('/')))
        .filter((topic): topic is string => topic !== undefined),
    text: () => out,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
