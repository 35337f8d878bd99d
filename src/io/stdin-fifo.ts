import * as fs from 'node:fs';
import type * as net from 'node:net';
import { UnknownError } from '../errors';
import { readStream } from './fd-stream';

const { O_RDONLY, O_WRONLY, O_NONBLOCK } = fs.constants;

/**
 * The client's stdin FIFO. A FIFO reads EOF as soon as it has no writer, so, as the
 * runc shim does (init.go openStdin), we hold a write end of our own: the client
 * closing or reopening its writer does not end the process's stdin; CloseIO
 * releases our writer, and EOF follows once the client's writer is closed too
 * (ctr closes its writer and sends CloseIO when its own stdin ends).
 */
export class StdinFifo {
  private keeper: number | null;

  private constructor(
    readonly source: net.Socket,
    keeper: number,
  ) {
    this.keeper = keeper;
  }

  /** Both opens are non-blocking; the writer open cannot fail with ENXIO since our reader exists. */
  static open(path: string): StdinFifo {
    const opened: number[] = [];
    try {
      const reader = fs.openSync(path, O_RDONLY | O_NONBLOCK);
      opened.push(reader);
      if (!fs.fstatSync(reader).isFIFO()) throw new Error('not a FIFO');
      const keeper = fs.openSync(path, O_WRONLY | O_NONBLOCK);
      opened.push(keeper);
      return new StdinFifo(readStream(reader), keeper);
    } catch (err) {
      for (const fd of opened) fs.closeSync(fd);
      throw new UnknownError(`opening stdin ${path} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  /** CloseIO: from now on the client closing its writer is the process's EOF. */
  release(): void {
    if (this.keeper === null) return;
    fs.closeSync(this.keeper);
    this.keeper = null;
  }

  close(): void {
    this.release();
    this.source.destroy();
  }
}
