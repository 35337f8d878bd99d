import * as fs from 'node:fs';
import type * as net from 'node:net';
import { writeStream } from './fd-stream';
import type { OutputSink } from './output-sink';
import { SocketSink } from './socket-sink';

const { O_WRONLY, O_NONBLOCK } = fs.constants;

/**
 * A client's stdout/stderr FIFO. The open is non-blocking, so it never waits for
 * the reader and never stalls the loop. We hold no read end ourselves (the runc
 * shim does): with one, a reader that went away would let the FIFO fill and the
 * container block on its stdout; without one, writes fail with EPIPE and we drop
 * bytes until a reader opens the FIFO again (containerd restarting and reattaching),
 * then carry on. Closing our only write end is the client's EOF.
 *
 * containerd's clients (ctr's cio, CRI) open their read end before Create, so at
 * open time a reader is normally there; if not (ENXIO), output is dropped until one is.
 */
export function openFifoSink(path: string): OutputSink {
  const fd = openWriter(path);
  return new SocketSink(fd === null ? null : writeStream(fd), () => reopen(path));
}

/** The FIFO's write end, or null when nobody reads it yet; other errors are the caller's. */
function openWriter(path: string): number | null {
  try {
    return fs.openSync(path, O_WRONLY | O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENXIO') return null;
    throw err;
  }
}

function reopen(path: string): net.Socket | null {
  try {
    const fd = openWriter(path);
    return fd === null ? null : writeStream(fd);
  } catch {
    // The FIFO was removed: the client is gone for good; keep dropping.
    return null;
  }
}
