import * as fs from 'node:fs';
import * as path from 'node:path';
import { UnknownError } from '../errors';
import { openFifoSink } from './fifo-sink';
import { FileSink } from './file-sink';
import type { OutputSink } from './output-sink';

/**
 * Opens the sink for one output stream. A plain path is the client's FIFO, or, if it
 * is not a FIFO, a file appended to (the runc shim checks IsFifo the same way); a
 * file:// target is created with its directory. One file shared by stdout and stderr
 * is opened once.
 */
export class SinkOpener {
  private readonly files = new Map<string, FileSink>();

  open(stream: 'stdout' | 'stderr', target: { kind: 'path' | 'file'; path: string }): OutputSink {
    try {
      if (target.kind === 'path' && fs.statSync(target.path).isFIFO()) return openFifoSink(target.path);
      return this.file(target.path, target.kind === 'file').share();
    } catch (err) {
      throw new UnknownError(`opening ${stream} ${target.path} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  private file(file: string, create: boolean): FileSink {
    let sink = this.files.get(file);
    if (sink === undefined) {
      if (create) fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
      sink = FileSink.open(file, create);
      this.files.set(file, sink);
    }
    return sink;
  }
}
