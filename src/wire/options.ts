/**
 * Codecs of the runtime options containerd hands a shim, on `start`'s stdin and in
 * CreateTaskRequest.options: an Any of containerd.runc.v1.Options or runtimeoptions.v1.Options.
 * Small on purpose: `start` loads this module and nothing else of wire/'s codecs.
 */
import { containerd, google, runtimeoptions } from './gen/options';
import { InvalidArgumentError } from '../errors';
import { anyIs, unpackAny, type AnyLike, type AnyMessage } from './any';
import { RUNC_OPTIONS_TYPE_URL, RUNC_PROCESS_DETAILS_TYPE_URL, RUNTIME_OPTIONS_TYPE_URL } from './type-urls';

export import RuncOptions = containerd.runc.v1.Options;
export import CheckpointOptions = containerd.runc.v1.CheckpointOptions;
export import ProcessDetails = containerd.runc.v1.ProcessDetails;
export import RuntimeOptions = runtimeoptions.v1.Options;
export import Any = google.protobuf.Any;

export type DecodedOptions =
  | { kind: 'none' }
  | { kind: 'runc'; options: RuncOptions }
  | { kind: 'runtimeoptions'; options: RuntimeOptions };

/** Options from an Any; absent or empty means none. InvalidArgumentError for any other type. */
export function decodeOptions(any: AnyLike | null | undefined): DecodedOptions {
  if (!any || !any.typeUrl) return { kind: 'none' };
  if (anyIs(any, RUNC_OPTIONS_TYPE_URL)) {
    return { kind: 'runc', options: unpackAny(any, RUNC_OPTIONS_TYPE_URL, (b) => RuncOptions.decode(b)) };
  }
  if (anyIs(any, RUNTIME_OPTIONS_TYPE_URL)) {
    return { kind: 'runtimeoptions', options: unpackAny(any, RUNTIME_OPTIONS_TYPE_URL, (b) => RuntimeOptions.decode(b)) };
  }
  throw new InvalidArgumentError(`unsupported runtime options type "${any.typeUrl}"`);
}

/** What `start` and `-info` read from stdin: a serialized Any, or nothing. */
export function decodeOptionsStdin(bytes: Uint8Array): DecodedOptions {
  if (bytes.length === 0) return { kind: 'none' };
  let any: Any;
  try {
    any = Any.decode(bytes);
  } catch (err) {
    throw new InvalidArgumentError(`malformed options on stdin: ${(err as Error).message}`, { cause: err });
  }
  return decodeOptions(any);
}

/** ProcessInfo.info of an exec process in a Pids reply, as the runc shim sends it. */
export function packProcessDetails(execId: string): AnyMessage {
  return { typeUrl: RUNC_PROCESS_DETAILS_TYPE_URL, value: ProcessDetails.encode({ execId }).finish() };
}
