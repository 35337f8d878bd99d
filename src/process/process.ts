/**
 * One process of a container: the init (id = container id) or an exec (id = exec id).
 * Holds its state, pid, IO and exit; waiters are answered from memory.
 */
import type { ProcessIO, StdioConfig } from '../io/process-io';
import type { ExitInfo } from './lifecycle-event';
import { transition, type ProcessAction, type ProcessState } from './state';

export class Process {
  readonly id: string;
  /** "" for the init process */
  readonly execId: string;
  readonly stdio: StdioConfig;
  pid = 0;
  io: ProcessIO | undefined;
  private current: ProcessState = 'created';
  private exitInfo: ExitInfo | undefined;
  private readonly exitWaiters: Array<(exit: ExitInfo) => void> = [];

  constructor(id: string, execId: string, stdio: StdioConfig) {
    this.id = id;
    this.execId = execId;
    this.stdio = stdio;
  }

  get state(): ProcessState {
    return this.current;
  }

  get exit(): ExitInfo | undefined {
    return this.exitInfo;
  }

  get isExec(): boolean {
    return this.execId !== '';
  }

  /** Checks the move without making it (throws the refusal). */
  check(action: ProcessAction): void {
    transition(this.execId || this.id, this.current, action);
  }

  move(action: ProcessAction): void {
    this.current = transition(this.execId || this.id, this.current, action);
  }

  /** Records the exit and answers every Wait. */
  exited(exit: ExitInfo): void {
    this.move('exit');
    this.exitInfo = exit;
    for (const resolve of this.exitWaiters.splice(0)) resolve(exit);
  }

  wait(): Promise<ExitInfo> {
    if (this.exitInfo) return Promise.resolve(this.exitInfo);
    return new Promise((resolve) => this.exitWaiters.push(resolve));
  }
}
