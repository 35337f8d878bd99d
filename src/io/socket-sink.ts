import type * as net from 'node:net';
import type { OutputSink } from './output-sink';

/**
 * A sink over a non-blocking stream (a pipe, FIFO or pty master). A write resolves
 * once the kernel took the bytes, which is the backpressure. When the far side is
 * gone (EPIPE, EIO) the stream is dropped; `reconnect`, if given, is asked for a new
 * one before each later write (a FIFO whose reader came back), else bytes are dropped.
 */
export class SocketSink implements OutputSink {
  private closed = false;

  constructor(
    private socket: net.Socket | null,
    private readonly reconnect: () => net.Socket | null = () => null,
  ) {}

  write(chunk: Buffer): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.socket ??= this.reconnect();
    const socket = this.socket;
    if (socket === null) return Promise.resolve();
    return new Promise((resolve) => {
      socket.write(chunk, (err) => {
        if (err && this.socket === socket) this.drop();
        resolve();
      });
    });
  }

  close(): void {
    this.closed = true;
    this.drop();
  }

  private drop(): void {
    this.socket?.destroy();
    this.socket = null;
  }
}
