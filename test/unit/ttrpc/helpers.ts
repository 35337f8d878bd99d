/** Shared fixtures for the ttrpc tests: temp unix sockets and a raw byte-level peer. */
import { mkdtempSync, rmSync } from 'node:fs';
import { Server, Socket, createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FrameHeader, FrameParser, MessageType, encodeFrame } from '../../../src/ttrpc/frame';
import { TtrpcRequest, TtrpcResponse, decodeResponse, encodeRequest, encodeResponse } from '../../../src/ttrpc/messages';
import type { TtrpcServer } from '../../../src/ttrpc';

export function makeTempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'ttrpc-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

let socketCount = 0;

/** Listens on a fresh socket path in `dir` and hands connections to `ttrpc`. */
export async function listen(ttrpc: TtrpcServer, dir: string): Promise<{ path: string; listener: Server }> {
  const path = join(dir, `s${++socketCount}.sock`);
  const listener = createServer();
  ttrpc.serve(listener);
  await new Promise<void>((resolve) => listener.listen(path, resolve));
  return { path, listener };
}

export interface RawFrame {
  header: FrameHeader;
  payload: Buffer;
}

/** Either end of a connection speaking raw bytes, for what our own client and server never produce. */
export class RawPeer {
  readonly closed: Promise<void>;
  private readonly frames: RawFrame[] = [];
  private waiter: (() => void) | undefined;

  constructor(readonly socket: Socket) {
    const parser = new FrameParser({
      frame: (header, payload) => {
        this.frames.push({ header, payload: Buffer.from(payload) });
        this.waiter?.();
      },
      oversized: () => undefined,
      corrupt: () => undefined,
    });
    socket.on('data', (chunk: Buffer) => parser.push(chunk));
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static connect(path: string): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(path);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawPeer(socket));
      });
    });
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  sendResponse(streamId: number, response: TtrpcResponse): void {
    this.write(encodeFrame(streamId, MessageType.Response, 0, encodeResponse(response)));
  }

  sendRequest(streamId: number, request: Partial<TtrpcRequest>): void {
    const full: TtrpcRequest = { service: '', method: '', payload: new Uint8Array(0), timeoutNano: 0, metadata: [], ...request };
    this.write(encodeFrame(streamId, MessageType.Request, 0, encodeRequest(full)));
  }

  async nextFrame(timeoutMs = 2000): Promise<RawFrame> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no frame arrived in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    return this.frames.shift()!;
  }

  async nextResponse(): Promise<{ streamId: number; response: TtrpcResponse; length: number }> {
    const { header, payload } = await this.nextFrame();
    if (header.type !== MessageType.Response) throw new Error(`expected a Response frame, got type ${header.type}`);
    return { streamId: header.streamId, response: decodeResponse(payload), length: header.length };
  }

  destroy(): Promise<void> {
    this.socket.destroy();
    return this.closed;
  }
}

/** A plain net server whose accepted connections the test drives byte by byte. */
export async function rawServer(dir: string): Promise<{ path: string; accepted: () => Promise<RawPeer>; close: () => Promise<void> }> {
  const path = join(dir, `raw${++socketCount}.sock`);
  const peers: RawPeer[] = [];
  const unclaimed: RawPeer[] = [];
  const waiting: Array<(peer: RawPeer) => void> = [];
  const listener = createServer((socket) => {
    const peer = new RawPeer(socket);
    peers.push(peer);
    const waiter = waiting.shift();
    if (waiter) waiter(peer);
    else unclaimed.push(peer);
  });
  await new Promise<void>((resolve) => listener.listen(path, resolve));
  return {
    path,
    accepted: () => {
      const peer = unclaimed.shift();
      return peer ? Promise.resolve(peer) : new Promise((resolve) => waiting.push(resolve));
    },
    close: async () => {
      await Promise.all(peers.map((peer) => peer.destroy()));
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
}

/** A promise plus its resolver, to hold a handler open until the test says so. */
export function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}
