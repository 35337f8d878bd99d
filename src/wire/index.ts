/**
 * wire/: protobuf codecs for the messages the shim speaks, no I/O.
 *
 * This index loads no codec. Import the codecs from the module that holds them, so each
 * command pays only for what it uses:
 *   ./task           Task service requests/responses, Mount, Status, TASK_METHODS
 *   ./events         task events, Envelope, ForwardRequest, packTaskEvent, encodeForwardRequest
 *   ./metrics        cgroups v1/v2 Metrics, packMetricsV1/V2
 *   ./options        runc and runtimeoptions Options, decodeOptions(Stdin), packProcessDetails
 *   ./introspection  RuntimeInfo for -info
 */
export { packAny, packJsonAny, anyIs, unpackAny, unpackJsonAny, type AnyLike, type AnyMessage } from './any';
export {
  timestampFromDate,
  dateFromTimestamp,
  timestampFromNanos,
  nanosFromTimestamp,
  type TimestampLike,
  type WireTimestamp,
} from './timestamp';
export { WireLong, u64, i64, bigintOf } from './wire-long';
export * from './type-urls';
