import type { ChildProcess } from 'node:child_process';
import { InternalError } from '../errors';
import { listChildren } from './proc-children';
import { runCommand } from './run-command';
import type { CommandOptions, CommandResult, CommandRunner, Sys } from './sys';

/** A reaped descendant: status is the exit code, or 128 + signal. */
export interface ReapedExit {
  pid: number;
  status: number;
  exitedAt: Date;
}

export type ExitListener = (exit: ReapedExit) => void;

/**
 * Makes the shim a child subreaper and reaps every child that libuv does not
 * own: container inits and other orphans reparented to us. libuv waits for its
 * own children by pid; reaping one of those would lose its 'exit' forever, so
 * every child the shim spawns either goes through run() or is handed to track().
 */
export class Reaper implements CommandRunner {
  private readonly libuvPids = new Set<number>();
  private readonly listeners = new Set<ExitListener>();
  private started = false;
  private readonly onSigchld = (): void => this.sweep();

  constructor(
    private readonly sys: Sys,
    private readonly procSelf = '/proc/self',
  ) {}

  /** Become a subreaper, handle SIGCHLD, and reap whatever already exited. */
  start(): void {
    if (this.started) return;
    this.sys.setChildSubreaper();
    process.on('SIGCHLD', this.onSigchld);
    this.started = true;
    this.sweep();
  }

  /** Stops handling SIGCHLD; the process stays a subreaper (the kernel setting is per process). */
  stop(): void {
    process.off('SIGCHLD', this.onSigchld);
    this.started = false;
  }

  /** Subscribes to reaped exits; returns the unsubscribe function. */
  onExit(listener: ExitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Reaps `pid` now if it has exited, without waiting for SIGCHLD to be handled:
   * for a caller that just learnt a pid (a container init from its pid file)
   * and must not miss an exit that raced the read. The exit is also emitted.
   * null while it runs; throws (code ECHILD) if it is not our child, which
   * includes one already reaped and emitted.
   */
  reapNow(pid: number): ReapedExit | null {
    if (this.libuvPids.has(pid)) {
      throw new InternalError(`pid ${pid} is a command run by the shim; its exit comes from the runner`);
    }
    return this.reap(pid);
  }

  run(file: string, args: string[], options: CommandOptions = {}): Promise<CommandResult> {
    return runCommand(file, args, options, (child) => this.track(child));
  }

  /**
   * Leaves a child spawned through child_process (e.g. a long-running logger) to
   * libuv until its 'exit'. Call it in the same tick as spawn(): SIGCHLD is only
   * handled on a later turn of the loop.
   */
  track(child: ChildProcess): void {
    const pid = child.pid;
    if (pid === undefined) return;
    this.libuvPids.add(pid);
    child.once('exit', () => this.libuvPids.delete(pid));
  }

  /**
   * Signals coalesce, and a child can be reparented and die between two
   * deliveries, so each sweep lists all children again until a pass reaps none.
   */
  private sweep(): void {
    for (;;) {
      let reaped = 0;
      for (const pid of listChildren(this.procSelf)) {
        if (this.libuvPids.has(pid)) continue;
        if (this.reapIfExited(pid)) reaped++;
      }
      if (reaped === 0) return;
    }
  }

  /** A child listed a moment ago may be gone already (reaped through reapNow): not an error here. */
  private reapIfExited(pid: number): boolean {
    try {
      return this.reap(pid) !== null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ECHILD') return false;
      throw err;
    }
  }

  private reap(pid: number): ReapedExit | null {
    const result = this.sys.waitpid(pid);
    if (result === null) return null;
    const exit: ReapedExit = { pid: result.pid, status: result.status, exitedAt: new Date() };
    this.emit(exit);
    return exit;
  }

  private emit(exit: ReapedExit): void {
    for (const listener of this.listeners) {
      try {
        listener(exit);
      } catch (err) {
        // One failing subscriber must not hide the exit from the others; the error still surfaces.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}
