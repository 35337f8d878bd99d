/**
 * One error taxonomy for the whole shim. Every error that crosses the ttrpc
 * boundary is one of these (or becomes Unknown), and its `code` is the gRPC
 * status code containerd's errdefs turn back into ErrNotFound, ErrAlreadyExists, ...
 */

/** gRPC status codes as carried in ttrpc's Response.status.code. */
export enum Code {
  OK = 0,
  Canceled = 1,
  Unknown = 2,
  InvalidArgument = 3,
  DeadlineExceeded = 4,
  NotFound = 5,
  AlreadyExists = 6,
  PermissionDenied = 7,
  ResourceExhausted = 8,
  FailedPrecondition = 9,
  Aborted = 10,
  OutOfRange = 11,
  Unimplemented = 12,
  Internal = 13,
  Unavailable = 14,
  DataLoss = 15,
  Unauthenticated = 16,
}

export class ShimError extends Error {
  readonly code: Code;
  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

export class NotFoundError extends ShimError {
  constructor(message: string, options?: { cause?: unknown }) { super(Code.NotFound, message, options); }
}
export class AlreadyExistsError extends ShimError {
  constructor(message: string, options?: { cause?: unknown }) { super(Code.AlreadyExists, message, options); }
}
export class FailedPreconditionError extends ShimError {
  constructor(message: string, options?: { cause?: unknown }) { super(Code.FailedPrecondition, message, options); }
}
export class InvalidArgumentError extends ShimError {
  constructor(message: string, options?: { cause?: unknown }) { super(Code.InvalidArgument, message, options); }
}
export class UnimplementedError extends ShimError {
  constructor(message: string, options?: { cause?: unknown }) { super(Code.Unimplemented, message, options); }
}
export class ResourceExhaustedError extends ShimError {
  constructor(message: string, options?: { cause?: unknown }) { super(Code.ResourceExhausted, message, options); }
}
export class DeadlineExceededError extends ShimError {
  constructor(message: string, options?: { cause?: unknown }) { super(Code.DeadlineExceeded, message, options); }
}
export class CanceledError extends ShimError {
  constructor(message: string, options?: { cause?: unknown }) { super(Code.Canceled, message, options); }
}
export class UnavailableError extends ShimError {
  constructor(message: string, options?: { cause?: unknown }) { super(Code.Unavailable, message, options); }
}
export class InternalError extends ShimError {
  constructor(message: string, options?: { cause?: unknown }) { super(Code.Internal, message, options); }
}
/** A plain failure (e.g. the OCI runtime said no); containerd sees ErrUnknown with our message. */
export class UnknownError extends ShimError {
  constructor(message: string, options?: { cause?: unknown }) { super(Code.Unknown, message, options); }
}

export interface Status {
  code: Code;
  message: string;
}

/**
 * The text containerd's errdefs give each class. Go shims wrap their errors in these
 * (`process does not exist x: not found`); containerd 1.6/1.7 re-add them from the code,
 * containerd 2.x shows the message as it came, so we send them as Go shims do.
 */
const classText: Partial<Record<Code, string>> = {
  [Code.Canceled]: 'context canceled',
  [Code.InvalidArgument]: 'invalid argument',
  [Code.DeadlineExceeded]: 'context deadline exceeded',
  [Code.NotFound]: 'not found',
  [Code.AlreadyExists]: 'already exists',
  [Code.PermissionDenied]: 'permission denied',
  [Code.ResourceExhausted]: 'resource exhausted',
  [Code.FailedPrecondition]: 'failed precondition',
  [Code.Aborted]: 'aborted',
  [Code.OutOfRange]: 'out of range',
  [Code.Unimplemented]: 'not implemented',
  [Code.Unavailable]: 'unavailable',
  [Code.DataLoss]: 'data loss',
  [Code.Unauthenticated]: 'unauthenticated',
};

/** The single mapping from any thrown value to a wire status. */
export function toStatus(err: unknown): Status {
  if (err instanceof ShimError) {
    const text = classText[err.code];
    const message = text && !err.message.endsWith(text) ? `${err.message}: ${text}` : err.message;
    return { code: err.code, message };
  }
  if (err instanceof Error) return { code: Code.Unknown, message: err.message };
  return { code: Code.Unknown, message: String(err) };
}

const byCode: Partial<Record<Code, new (message: string) => ShimError>> = {
  [Code.Canceled]: CanceledError,
  [Code.Unknown]: UnknownError,
  [Code.InvalidArgument]: InvalidArgumentError,
  [Code.DeadlineExceeded]: DeadlineExceededError,
  [Code.NotFound]: NotFoundError,
  [Code.AlreadyExists]: AlreadyExistsError,
  [Code.ResourceExhausted]: ResourceExhaustedError,
  [Code.FailedPrecondition]: FailedPreconditionError,
  [Code.Unimplemented]: UnimplementedError,
  [Code.Internal]: InternalError,
  [Code.Unavailable]: UnavailableError,
};

/** The inverse of toStatus, for clients (the event publisher, tests). */
export function fromStatus(status: Status): ShimError {
  const text = classText[status.code];
  const message = text && status.message.endsWith(`: ${text}`) ? status.message.slice(0, -text.length - 2) : status.message;
  const Ctor = byCode[status.code];
  return Ctor ? new Ctor(message) : new ShimError(status.code, message);
}
