/**
 * The ttrpc client: unary calls multiplexed over one socket. Stream ids are
 * odd and strictly increasing (1, 3, 5, ...), as ttrpc >= 1.2 servers demand;
 * replies are matched by stream id in whatever order they arrive.
 */
import { Socket, createConnection } from 'node:net';
import {
  DeadlineExceededError,
  InternalError,
  ResourceExhaustedError,
  ShimError,
  UnavailableError,
  fromStatus,
} from '../errors';
import { FrameHeader, FrameParser, MAX_PAYLOAD, MessageType, encodeFrame } from './frame';
import { timerDelay } from './deadline';
import { endSocket } from './end-socket';
import { decodeResponse, encodeRequest } from './messages';
import { MetadataInit, toKeyValues } from './metadata';

export interface CallOptions {
  /** Relative deadline: sent as timeout_nano and enforced locally with DeadlineExceededError. */
  timeoutMs?: number;
  metadata?: MetadataInit;
}

interface PendingCall {
  resolve: (payload: Uint8Array) => void;
  reject: (err: ShimError) => void;
  timer?: NodeJS.Timeout;
}

const MAX_STREAM_ID = 0xffffffff;

export class TtrpcClient {
  /** Resolves once the socket has closed; every call still pending by then was rejected. */
  readonly closed: Promise<void>;
  private readonly pending = new Map<number, PendingCall>();
  private nextStreamId = 1;
  private closeReason: ShimError | undefined;

  constructor(private readonly socket: Socket) {
    const parser = new FrameParser({
      frame: (header, payload) => this.onFrame(header, payload),
      oversized: (header) =>
        this.settle(
          header.streamId,
          new ResourceExhaustedError(`message length ${header.length} exceeds maximum message size of ${MAX_PAYLOAD}`),
        ),
      corrupt: (reason) => {
        this.failAll(new UnavailableError(`ttrpc: ${reason}`));
        socket.destroy();
      },
    });
    socket.on('data', (chunk: Buffer) => parser.push(chunk));
    socket.on('error', (err) => this.failAll(new UnavailableError(`ttrpc: ${err.message}`, { cause: err })));
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.failAll(new UnavailableError('ttrpc: closed'));
        resolve();
      });
    });
  }

  /** Dials a unix socket path; a failure to connect is an UnavailableError. */
  static connect(path: string): Promise<TtrpcClient> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(path);
      const onError = (err: Error): void => {
        socket.destroy();
        reject(new UnavailableError(`ttrpc: dial ${path}: ${err.message}`, { cause: err }));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        resolve(new TtrpcClient(socket));
      });
    });
  }

  /** One unary call; rejects with the typed error for the reply's status (see fromStatus). */
  call(service: string, method: string, payload: Uint8Array, options: CallOptions = {}): Promise<Uint8Array> {
    if (this.closeReason) return Promise.reject(this.closeReason);
    const { timeoutMs } = options;
    if (timeoutMs !== undefined && timeoutMs <= 0) {
      return Promise.reject(new DeadlineExceededError('context deadline exceeded'));
    }
    const body = encodeRequest({
      service,
      method,
      payload,
      timeoutNano: timeoutMs === undefined ? 0 : Math.round(timeoutMs * 1e6),
      metadata: toKeyValues(options.metadata),
    });
    if (body.length > MAX_PAYLOAD) {
      return Promise.reject(
        new ResourceExhaustedError(`request length ${body.length} exceeds maximum message size of ${MAX_PAYLOAD}`),
      );
    }
    if (this.nextStreamId > MAX_STREAM_ID) {
      return Promise.reject(new ResourceExhaustedError('ttrpc: stream ids exhausted on this connection'));
    }
    const id = this.nextStreamId;
    this.nextStreamId += 2;

    return new Promise<Uint8Array>((resolve, reject) => {
      const call: PendingCall = { resolve, reject };
      const delay = timeoutMs === undefined ? undefined : timerDelay(timeoutMs);
      if (delay !== undefined) {
        call.timer = setTimeout(() => this.settle(id, new DeadlineExceededError('context deadline exceeded')), delay);
      }
      this.pending.set(id, call);
      // One write per whole frame: concurrent calls can never interleave bytes.
      this.socket.write(encodeFrame(id, MessageType.Request, 0, body));
    });
  }

  /** Rejects pending calls with UnavailableError and closes the socket once our writes are flushed (or a grace period passes). */
  close(): Promise<void> {
    this.failAll(new UnavailableError('ttrpc: closed'));
    endSocket(this.socket);
    return this.closed;
  }

  private onFrame(header: FrameHeader, payload: Buffer): void {
    // Data frames belong to streaming calls, which this client never opens.
    if (header.type !== MessageType.Response) return;
    let result: Uint8Array | ShimError;
    try {
      const response = decodeResponse(payload);
      result = response.status && response.status.code !== 0 ? fromStatus(response.status) : response.payload;
    } catch (err) {
      result = new InternalError(`ttrpc: malformed response: ${(err as Error).message}`);
    }
    this.settle(header.streamId, result);
  }

  /** Completes one call; a reply for a call that already timed out is dropped here. */
  private settle(streamId: number, result: Uint8Array | ShimError): void {
    const call = this.pending.get(streamId);
    if (call === undefined) return;
    this.pending.delete(streamId);
    clearTimeout(call.timer);
    if (result instanceof ShimError) call.reject(result);
    else call.resolve(result);
  }

  private failAll(reason: ShimError): void {
    this.closeReason ??= reason;
    for (const call of this.pending.values()) {
      clearTimeout(call.timer);
      call.reject(reason);
    }
    this.pending.clear();
  }
}
