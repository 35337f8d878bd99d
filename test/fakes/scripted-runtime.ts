/**
 * An in-memory OciRuntime for process-layer unit tests: writes pid files with made-up
 * pids and records calls, so a test decides exactly when each process "exits".
 * (The runtime driver itself is tested against a fake runtime program.)
 */
import { writeFileSync } from 'node:fs';
import type { CreateOptions, ExecOptions, OciRuntime, RuntimeState } from '../../src/runtime/oci-runtime';
import type { ProcessIO } from '../../src/io/process-io';

export class ScriptedRuntime implements OciRuntime {
  readonly binary = 'scripted';
  readonly calls: string[] = [];
  nextPid = 1000;
  /** a call name -> error to throw */
  failures = new Map<string, Error>();

  private record(call: string): void {
    this.calls.push(call);
    const failure = this.failures.get(call.split(' ')[0]);
    if (failure) throw failure;
  }

  async create(o: CreateOptions): Promise<void> {
    this.record(`create ${o.id}`);
    writeFileSync(o.pidFile, String(this.nextPid++));
  }
  async start(id: string): Promise<void> {
    this.record(`start ${id}`);
  }
  async exec(o: ExecOptions): Promise<void> {
    this.record(`exec ${o.id}`);
    writeFileSync(o.pidFile, String(this.nextPid++));
  }
  async kill(id: string, signal: number, all: boolean): Promise<void> {
    this.record(`kill ${id} ${signal}${all ? ' all' : ''}`);
  }
  async delete(id: string, force: boolean): Promise<void> {
    this.record(`delete ${id}${force ? ' force' : ''}`);
  }
  async pause(id: string): Promise<void> {
    this.record(`pause ${id}`);
  }
  async resume(id: string): Promise<void> {
    this.record(`resume ${id}`);
  }
  async ps(id: string): Promise<number[]> {
    this.record(`ps ${id}`);
    return [];
  }
  async update(id: string): Promise<void> {
    this.record(`update ${id}`);
  }
  async enforcedSpecVersion(): Promise<string | undefined> {
    return undefined;
  }
  async state(id: string): Promise<RuntimeState> {
    this.record(`state ${id}`);
    return { id, pid: 0, status: 'running', bundle: '' };
  }
}

/** A ProcessIO with nothing behind it; drained() resolves at once. */
export function nullIO(): ProcessIO & { closed: boolean; stdinClosed: boolean } {
  return {
    runtimeStdio: ['ignore', 'ignore', 'ignore'],
    closed: false,
    stdinClosed: false,
    async attach() {},
    closeStdin() {
      this.stdinClosed = true;
    },
    resize() {},
    async drained() {},
    close() {
      this.closed = true;
    },
  };
}
