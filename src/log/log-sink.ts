/**
 * The shim's log: the bundles' `log` FIFOs, which containerd drains into its own log
 * while it holds the task's connection. While containerd is down nobody drains them,
 * so writes are non-blocking and a line that does not fit is dropped: the shim must
 * never stall on its log. A grouped shim outlives its first bundle, so every live
 * task's FIFO is kept and a line goes to the first one that takes it.
 */
import { closeSync, constants, openSync, writeSync } from 'node:fs';

export type Level = 'debug' | 'info' | 'warning' | 'error';

export interface LogSink {
  write(level: Level, message: string, fields?: Record<string, string | number>): void;
  close(): void;
}

export class FifoLog implements LogSink {
  /** FIFO path -> fd, oldest first */
  private readonly fifos = new Map<string, number>();

  constructor(private readonly debug: boolean) {}

  /** Starts logging to a bundle's FIFO too (when a task is created there). */
  attach(path: string): void {
    if (this.fifos.has(path)) return;
    try {
      this.fifos.set(path, openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // no reader (containerd gone) or no FIFO: that bundle just gets no log
    }
  }

  detach(path: string): void {
    const fd = this.fifos.get(path);
    if (fd === undefined) return;
    this.fifos.delete(path);
    closeSync(fd);
  }

  write(level: Level, message: string, fields?: Record<string, string | number>): void {
    if (level === 'debug' && !this.debug) return;
    const line = formatLine(level, message, fields);
    for (const fd of this.fifos.values()) {
      try {
        writeSync(fd, line);
        return;
      } catch {
        // EAGAIN (full pipe) or EPIPE (reader gone): try the next live task's FIFO
      }
    }
  }

  close(): void {
    for (const path of [...this.fifos.keys()]) this.detach(path);
  }
}

/** logrus's text format, which containerd's own log lines use. */
export function formatLine(level: Level, message: string, fields?: Record<string, string | number>): string {
  let line = `time="${new Date().toISOString()}" level=${level} msg=${JSON.stringify(message)}`;
  for (const [k, v] of Object.entries(fields ?? {})) line += ` ${k}=${typeof v === 'number' ? v : JSON.stringify(v)}`;
  return line + ' runtime=io.containerd.metassembly.v2\n';
}
