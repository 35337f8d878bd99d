import * as fs from 'node:fs';
import type { OutputSink } from './output-sink';

/**
 * Appends to a regular file (file:// stdio, or a plain path that is not a FIFO).
 * stdout and stderr share one sink when they name the same file, as the runc shim
 * shares one writer; the fd closes when the last user closes. Writes go through the
 * threadpool (regular files cannot be polled); a failed write (ENOSPC) drops the chunk.
 */
export class FileSink {
  private users = 0;
  /** Threadpool writes still using the fd: it must not close (and its number be reused) under them. */
  private inFlight = 0;

  private constructor(private fd: number | null) {}

  /** O_WRONLY|O_APPEND, created with 0644 when `create`, as file:// does. */
  static open(path: string, create: boolean): FileSink {
    const flags = create ? 'a' : fs.constants.O_WRONLY | fs.constants.O_APPEND;
    return new FileSink(fs.openSync(path, flags, 0o644));
  }

  /** A handle for one stream; each must be closed. */
  share(): OutputSink {
    this.users += 1;
    let closed = false;
    return {
      write: (chunk) => (closed ? Promise.resolve() : this.writeAll(chunk)),
      close: () => {
        if (closed) return;
        closed = true;
        this.release();
      },
    };
  }

  private async writeAll(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length && this.fd !== null && this.users > 0) {
      const fd = this.fd;
      this.inFlight += 1;
      const written = await new Promise<number>((resolve) => {
        fs.write(fd, chunk, offset, chunk.length - offset, null, (err, n) => resolve(err ? -1 : n));
      });
      this.inFlight -= 1;
      this.closeIfUnused();
      if (written <= 0) return;
      offset += written;
    }
  }

  private release(): void {
    this.users -= 1;
    this.closeIfUnused();
  }

  private closeIfUnused(): void {
    if (this.users > 0 || this.inFlight > 0 || this.fd === null) return;
    fs.closeSync(this.fd);
    this.fd = null;
  }
}
