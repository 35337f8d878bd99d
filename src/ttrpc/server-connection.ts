/**
 * One accepted ttrpc connection on the server side: frames in, unary calls
 * dispatched concurrently, each reply written as a whole frame when its
 * handler settles (so replies go out in completion order, matched by stream id).
 */
import type { Socket } from 'node:net';
import {
  Code,
  DeadlineExceededError,
  InvalidArgumentError,
  ShimError,
  UnavailableError,
  toStatus,
} from '../errors';
import type { CallContext, Handler } from './call-context';
import { timerDelay } from './deadline';
import { endSocket } from './end-socket';
import { FrameHeader, FrameParser, MAX_PAYLOAD, MessageType, encodeFrame } from './frame';
import { TtrpcRequest, TtrpcResponse, decodeRequest, encodeResponse } from './messages';
import { fromKeyValues } from './metadata';

/** Finds a registered service's methods by full service name. */
export type ServiceLookup = (service: string) => ReadonlyMap<string, Handler> | undefined;

const EMPTY = new Uint8Array(0);

function failure(code: Code, message: string): TtrpcResponse {
  return { status: { code, message }, payload: EMPTY };
}

export class ServerConnection {
  /** Resolves once the socket has closed, with the protocol error if we closed it for one. */
  readonly closed: Promise<Error | undefined>;
  /** Calls in flight by stream id; each entry abandons its call (fires its signal, drops its result). */
  private readonly calls = new Map<number, (reason: ShimError) => void>();
  private lastStreamId = 0;
  private closing = false;
  private protocolError: Error | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly lookup: ServiceLookup,
  ) {
    const parser = new FrameParser({
      frame: (header, payload) => this.onFrame(header, payload),
      oversized: (header) => this.onOversized(header),
      corrupt: (reason) => {
        this.protocolError = new InvalidArgumentError(`ttrpc: ${reason}`);
        socket.destroy();
      },
    });
    socket.on('data', (chunk: Buffer) => parser.push(chunk));
    // Replies are backed up in the socket: take no new requests until the peer reads them.
    socket.on('drain', () => socket.resume());
    // A reset by the peer is an ordinary way to leave; 'close' follows and does the cleanup.
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.abortAll(new UnavailableError('ttrpc: connection closed'));
        resolve(this.protocolError);
      });
    });
  }

  /** Stop taking requests, abandon calls in flight, flush what is already written, then close. */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    this.abortAll(new UnavailableError('ttrpc: server closed'));
    endSocket(this.socket);
  }

  private abortAll(reason: ShimError): void {
    for (const abandon of [...this.calls.values()]) abandon(reason);
  }

  private onFrame(header: FrameHeader, payload: Buffer): void {
    // Responses from a client and streaming Data frames have no meaning for a unary-only server.
    if (this.closing || header.type !== MessageType.Request) return;
    const id = header.streamId;
    if (id % 2 !== 1) {
      this.reply(id, failure(Code.InvalidArgument, 'stream id must be odd for client-initiated streams'));
      return;
    }
    if (id <= this.lastStreamId) {
      this.reply(id, failure(Code.InvalidArgument, 'stream id cannot be re-used and must increase'));
      return;
    }
    this.lastStreamId = id;

    let request: TtrpcRequest;
    try {
      request = decodeRequest(payload);
    } catch (err) {
      // The frame arrived whole, so only this request is bad: the caller sent it wrong (InvalidArgument).
      this.reply(id, failure(Code.InvalidArgument, `unmarshal request error: ${(err as Error).message}`));
      return;
    }
    const methods = this.lookup(request.service);
    if (methods === undefined) {
      this.reply(id, failure(Code.Unimplemented, `service ${request.service}`));
      return;
    }
    const handler = methods.get(request.method);
    if (handler === undefined) {
      this.reply(id, failure(Code.Unimplemented, `method ${request.method}`));
      return;
    }
    this.run(id, request, handler);
  }

  private onOversized(header: FrameHeader): void {
    if (this.closing || header.type !== MessageType.Request) return;
    this.reply(
      header.streamId,
      failure(Code.ResourceExhausted, `message length ${header.length} exceeds maximum message size of ${MAX_PAYLOAD}`),
    );
  }

  private run(id: number, request: TtrpcRequest, handler: Handler): void {
    const timeoutMs = request.timeoutNano / 1e6;
    const deadline = request.timeoutNano !== 0 ? Date.now() + timeoutMs : undefined;
    if (deadline !== undefined && timeoutMs <= 0) {
      this.reply(id, failure(Code.DeadlineExceeded, 'context deadline exceeded'));
      return;
    }
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    // Settling first means the handler's late result, whenever it comes, is dropped.
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      this.calls.delete(id);
      return true;
    };
    const finish = (response: TtrpcResponse): void => {
      if (settle()) this.reply(id, response);
    };
    const abandon = (reason: ShimError): void => {
      if (settle()) controller.abort(reason);
    };
    this.calls.set(id, abandon);
    const delay = deadline === undefined ? undefined : timerDelay(timeoutMs);
    if (delay !== undefined) {
      timer = setTimeout(() => {
        this.reply(id, failure(Code.DeadlineExceeded, 'context deadline exceeded'));
        abandon(new DeadlineExceededError('context deadline exceeded'));
      }, delay);
    }

    const ctx: CallContext = {
      service: request.service,
      method: request.method,
      streamId: id,
      metadata: fromKeyValues(request.metadata),
      deadline,
      signal: controller.signal,
    };
    Promise.resolve()
      .then(() => handler(ctx, request.payload))
      .then(
        (payload) => finish(this.success(request, payload)),
        (err: unknown) => finish({ status: toStatus(err), payload: EMPTY }),
      );
  }

  private success(request: TtrpcRequest, payload: unknown): TtrpcResponse {
    if (!(payload instanceof Uint8Array)) {
      return failure(Code.Internal, `${request.service}/${request.method} returned no payload`);
    }
    return { payload };
  }

  private reply(id: number, response: TtrpcResponse): void {
    if (this.closing || !this.socket.writable) return;
    let body = encodeResponse(response);
    if (body.length > MAX_PAYLOAD) {
      body = encodeResponse(
        failure(Code.ResourceExhausted, `response length ${body.length} exceeds maximum message size of ${MAX_PAYLOAD}`),
      );
    }
    if (!this.socket.write(encodeFrame(id, MessageType.Response, 0, body))) this.socket.pause();
  }
}
