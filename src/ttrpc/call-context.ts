import type { Metadata } from './metadata';

/** What a server-side handler knows about the call it is serving. */
export interface CallContext {
  readonly service: string;
  readonly method: string;
  readonly streamId: number;
  readonly metadata: Metadata;
  /** Absolute deadline in epoch milliseconds (from the request's timeout_nano), if the caller set one. */
  readonly deadline?: number;
  /**
   * Fires when the deadline passes or the connection closes; the reason is a
   * DeadlineExceededError or UnavailableError. A reply after that is dropped.
   */
  readonly signal: AbortSignal;
}

/** A unary method: request payload bytes in, reply payload bytes out; throw a ShimError to fail. */
export type Handler = (ctx: CallContext, payload: Uint8Array) => Promise<Uint8Array>;

/** A service's methods by name, e.g. `{ Create: handler, Start: handler }`. */
export type ServiceMethods = Readonly<Record<string, Handler>>;
