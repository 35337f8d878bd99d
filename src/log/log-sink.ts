/**
 * The shim's log: the bundle's `log` FIFO, which containerd drains into its own log.
 * While containerd is down nobody drains it, so writes are non-blocking and a line
 * that does not fit is dropped: the shim must never stall on its log.
 */
import { closeSync, constants, openSync, writeSync } from 'node:fs';

export type Level = 'debug' | 'info' | 'warning' | 'error';

export interface LogSink {
  write(level: Level, message: string, fields?: Record<string, string | number>): void;
  close(): void;
}

export function openFifoSink(path: string, debug: boolean): LogSink {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch {
    // no reader (containerd gone) or no fifo: log nowhere rather than fail the shim
  }
  return {
    write(level, message, fields) {
      if (fd === undefined || (level === 'debug' && !debug)) return;
      try {
        writeSync(fd, formatLine(level, message, fields));
      } catch {
        // EAGAIN (full pipe) or EPIPE (reader gone): drop the line
      }
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

/** logrus's text format, which containerd's own log lines use. */
export function formatLine(level: Level, message: string, fields?: Record<string, string | number>): string {
  let line = `time="${new Date().toISOString()}" level=${level} msg=${JSON.stringify(message)}`;
  for (const [k, v] of Object.entries(fields ?? {})) line += ` ${k}=${typeof v === 'number' ? v : JSON.stringify(v)}`;
  return line + ' runtime=io.containerd.metassembly.v2\n';
}
