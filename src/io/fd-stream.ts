import * as fs from 'node:fs';
import * as net from 'node:net';

/**
 * Non-blocking streams over raw fds. libuv's pipe handle puts the fd in O_NONBLOCK
 * and drives it with epoll, so reads and writes never stall the event loop and
 * writes get real backpressure. The stream owns the fd: destroying it closes it.
 */

/** The read end of a pipe or a FIFO opened for reading. */
export function readStream(fd: number): net.Socket {
  return quiet(new net.Socket({ fd, readable: true, writable: false }));
}

/** The write end of a pipe or a FIFO opened for writing. */
export function writeStream(fd: number): net.Socket {
  return quiet(new net.Socket({ fd, readable: false, writable: true }));
}

interface PipeHandle {
  open(fd: number): number;
}
interface PipeWrap {
  Pipe: new (type: number) => PipeHandle;
  constants: { SOCKET: number };
}

/**
 * A pty master, both directions. Node's public choices are wrong for it: net.Socket
 * refuses a tty fd, and tty.ReadStream/WriteStream leave a master blocking (libuv
 * cannot reopen a master non-blocking), so a container that stops reading its
 * terminal would block our writes and the whole shim. libuv's pipe handle works on
 * any pollable fd, so we build one directly; pipe_wrap is on Node's process.binding
 * allow-list in Node 20 and 24 and is what net.Socket({fd}) itself uses.
 */
export function consoleStream(fd: number): net.Socket {
  const binding = (process as unknown as { binding(name: string): PipeWrap }).binding('pipe_wrap');
  const handle = new binding.Pipe(binding.constants.SOCKET);
  const status = handle.open(fd);
  if (status < 0) {
    fs.closeSync(fd);
    throw Object.assign(new Error(`cannot open console fd ${fd}: uv error ${status}`), { errno: status });
  }
  const options = { handle, readable: true, writable: true } as unknown as net.SocketConstructorOpts;
  return quiet(new net.Socket(options));
}

/**
 * Errors on these streams (EPIPE when a reader leaves, EIO when a pty slave closes)
 * are handled where the stream is used; an 'error' event without a listener would
 * take the whole shim down.
 */
function quiet(socket: net.Socket): net.Socket {
  socket.on('error', () => {});
  return socket;
}
