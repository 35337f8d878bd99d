/**
 * google.protobuf.Any helpers. Every codec module carries its own Any class, all with this
 * shape, so these work on any of them.
 */
import { InvalidArgumentError } from '../errors';

export interface AnyMessage {
  typeUrl: string;
  value: Uint8Array;
}

/** An Any as decoded; absent fields are empty. */
export interface AnyLike {
  typeUrl?: string | null;
  value?: Uint8Array | null;
}

export function packAny(typeUrl: string, value: Uint8Array): AnyMessage {
  return { typeUrl, value };
}

/** For the OCI types containerd carries as JSON (see type-urls.ts). */
export function packJsonAny(typeUrl: string, value: unknown): AnyMessage {
  return { typeUrl, value: Buffer.from(JSON.stringify(value), 'utf8') };
}

/**
 * Whether `any` holds `typeUrl`. A bare proto name ("containerd.runc.v1.Options") also matches
 * a prefixed URL ("type.googleapis.com/containerd.runc.v1.Options", as typeurl v2 may write);
 * a name with a path (the OCI JSON types) must match whole.
 */
export function anyIs(any: AnyLike, typeUrl: string): boolean {
  const actual = any.typeUrl ?? '';
  if (typeUrl.includes('/')) return actual === typeUrl;
  return actual.slice(actual.lastIndexOf('/') + 1) === typeUrl;
}

/** Decodes the Any's value with `decode`; InvalidArgumentError if it holds another type or is malformed. */
export function unpackAny<T>(any: AnyLike, typeUrl: string, decode: (bytes: Uint8Array) => T): T {
  expectType(any, typeUrl);
  try {
    return decode(any.value ?? new Uint8Array(0));
  } catch (err) {
    throw new InvalidArgumentError(`malformed ${typeUrl}: ${(err as Error).message}`, { cause: err });
  }
}

/** Parses a JSON Any (OCI Process, LinuxResources); InvalidArgumentError on another type or bad JSON. */
export function unpackJsonAny(any: AnyLike, typeUrl: string): unknown {
  expectType(any, typeUrl);
  try {
    return JSON.parse(Buffer.from(any.value ?? []).toString('utf8'));
  } catch (err) {
    throw new InvalidArgumentError(`malformed ${typeUrl}: ${(err as Error).message}`, { cause: err });
  }
}

function expectType(any: AnyLike, typeUrl: string): void {
  if (!anyIs(any, typeUrl)) throw new InvalidArgumentError(`expected Any of type ${typeUrl}, got "${any.typeUrl ?? ''}"`);
}
