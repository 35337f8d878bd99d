import { createConnection, type Socket } from 'node:net';
import { DeadlineExceededError, UnavailableError } from '../../../src/errors';
import { FrameParser, MessageType, encodeFrame } from '../../../src/ttrpc/frame';
import { decodeResponse, encodeRequest, type TtrpcResponse } from '../../../src/ttrpc/messages';

/**
 * A ttrpc connection with no client logic in the way: it writes whatever bytes a test hands
 * it, so a test can send what no well-behaved client would, and it reads back Response frames
 * by stream id.
 */
export class RawTtrpc {
  /** Resolves when the peer (or we) closed the connection. */
  readonly closed: Promise<void>;
  private readonly replies = new Map<number, TtrpcResponse>();
  private readonly waiters = new Map<number, (r: TtrpcResponse) => void>();

  private constructor(private readonly socket: Socket) {
    const parser = new FrameParser({
      frame: (header, payload) => {
        if (header.type !== MessageType.Response) return;
        const response = decodeResponse(Buffer.from(payload));
        const waiter = this.waiters.get(header.streamId);
        if (waiter) waiter(response);
        else this.replies.set(header.streamId, response);
      },
      oversized: () => undefined,
      corrupt: () => socket.destroy(),
    });
    socket.on('data', (chunk: Buffer) => parser.push(chunk));
    socket.on('error', () => undefined); // a reset is how a server may drop us; 'close' follows
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static connect(path: string): Promise<RawTtrpc> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(path);
      socket.once('error', (err) => reject(new UnavailableError(`dial ${path}: ${err.message}`, { cause: err })));
      socket.once('connect', () => resolve(new RawTtrpc(socket)));
    });
  }

  send(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** The Response on a stream, waiting up to timeoutMs for it. */
  reply(streamId: number, timeoutMs = 5_000): Promise<TtrpcResponse> {
    const ready = this.replies.get(streamId);
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(streamId);
        reject(new DeadlineExceededError(`no reply on stream ${streamId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(streamId, (r) => {
        clearTimeout(timer);
        this.waiters.delete(streamId);
        resolve(r);
      });
    });
  }

  /** True when the connection closes within timeoutMs. */
  async closesWithin(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const result = await Promise.race([this.closed.then(() => true), timeout]);
    clearTimeout(timer);
    return result;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A well-formed unary Request frame. */
export function requestFrame(streamId: number, service: string, method: string, payload: Uint8Array): Buffer {
  const body = encodeRequest({ service, method, payload, timeoutNano: 0, metadata: [] });
  return encodeFrame(streamId, MessageType.Request, 0, body);
}

/** A raw 10-byte frame header, free to lie about length and type. */
export function frameHeader(length: number, streamId: number, type: number, flags = 0): Buffer {
  const header = Buffer.alloc(10);
  header.writeUInt32BE(length, 0);
  header.writeUInt32BE(streamId, 4);
  header.writeUInt8(type, 8);
  header.writeUInt8(flags, 9);
  return header;
}
