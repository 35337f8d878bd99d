/**
 * ttrpc's own envelope messages (proto package `ttrpc`), hand-encoded with
 * protobufjs' Reader/Writer so this module needs no generated code:
 *
 *   Request  { service:1 string, method:2 string, payload:3 bytes, timeout_nano:4 int64, metadata:5 repeated KeyValue }
 *   KeyValue { key:1 string, value:2 string }
 *   Response { status:1 google.rpc.Status, payload:2 bytes }
 *   Status   { code:1 int32, message:2 string, details:3 repeated Any }
 *
 * Encoding follows proto3: default values are left out, so an OK reply with
 * an empty payload is zero bytes. Decoding skips unknown fields, and a known
 * field number arriving with an unexpected wire type is treated as unknown.
 */
// the shim's protobuf runtime (one small bundle, exact 64-bit values), not protobufjs/minimal's 20 files
import type { Reader as ProtoReader } from 'protobufjs/minimal';
import { Reader, Writer } from '../wire/runtime';
import type { Code, Status } from '../errors';

export interface KeyValue {
  key: string;
  value: string;
}

export interface TtrpcRequest {
  service: string;
  method: string;
  payload: Uint8Array;
  /** Relative deadline in nanoseconds; 0 means none. */
  timeoutNano: number;
  metadata: KeyValue[];
}

export interface TtrpcResponse {
  /** Absent means OK. Status.details (repeated Any) are never sent and skipped on read. */
  status?: Status;
  payload: Uint8Array;
}

// Field keys are (field_number << 3) | wire_type; 0 = varint, 2 = length-delimited.
const enum Key {
  F1Len = (1 << 3) | 2,
  F2Len = (2 << 3) | 2,
  F3Len = (3 << 3) | 2,
  F4Varint = (4 << 3) | 0,
  F5Len = (5 << 3) | 2,
  F1Varint = (1 << 3) | 0,
}

const EMPTY = new Uint8Array(0);

function int64ToNumber(value: number | { low: number; high: number }): number {
  return typeof value === 'number' ? value : value.high * 2 ** 32 + (value.low >>> 0);
}

export function encodeRequest(req: TtrpcRequest): Uint8Array {
  const w = Writer.create();
  if (req.service) w.uint32(Key.F1Len).string(req.service);
  if (req.method) w.uint32(Key.F2Len).string(req.method);
  if (req.payload.length > 0) w.uint32(Key.F3Len).bytes(req.payload);
  if (req.timeoutNano !== 0) w.uint32(Key.F4Varint).int64(req.timeoutNano);
  for (const kv of req.metadata) {
    w.uint32(Key.F5Len).fork();
    if (kv.key) w.uint32(Key.F1Len).string(kv.key);
    if (kv.value) w.uint32(Key.F2Len).string(kv.value);
    w.ldelim();
  }
  return w.finish();
}

function decodeKeyValue(r: ProtoReader, end: number): KeyValue {
  const kv: KeyValue = { key: '', value: '' };
  while (r.pos < end) {
    const key = r.uint32();
    if (key === Key.F1Len) kv.key = r.string();
    else if (key === Key.F2Len) kv.value = r.string();
    else r.skipType(key & 7);
  }
  if (r.pos !== end) throw new RangeError('metadata entry overruns its length');
  return kv;
}

/** Throws (RangeError or Error from protobufjs) on bytes that are not a valid Request. */
export function decodeRequest(bytes: Uint8Array): TtrpcRequest {
  const r = Reader.create(bytes);
  const req: TtrpcRequest = { service: '', method: '', payload: EMPTY, timeoutNano: 0, metadata: [] };
  while (r.pos < r.len) {
    const key = r.uint32();
    switch (key) {
      case Key.F1Len: req.service = r.string(); break;
      case Key.F2Len: req.method = r.string(); break;
      case Key.F3Len: req.payload = r.bytes(); break;
      case Key.F4Varint: req.timeoutNano = int64ToNumber(r.int64()); break;
      case Key.F5Len: {
        const end = r.uint32() + r.pos;
        if (end > r.len) throw new RangeError('metadata entry runs past the end of the request');
        req.metadata.push(decodeKeyValue(r, end));
        break;
      }
      default: r.skipType(key & 7);
    }
  }
  return req;
}

export function encodeResponse(res: TtrpcResponse): Uint8Array {
  const w = Writer.create();
  if (res.status && res.status.code !== 0) {
    w.uint32(Key.F1Len).fork();
    w.uint32(Key.F1Varint).int32(res.status.code);
    if (res.status.message) w.uint32(Key.F2Len).string(res.status.message);
    w.ldelim();
  }
  if (res.payload.length > 0) w.uint32(Key.F2Len).bytes(res.payload);
  return w.finish();
}

function decodeStatus(r: ProtoReader, end: number): Status {
  const status: Status = { code: 0, message: '' };
  while (r.pos < end) {
    const key = r.uint32();
    if (key === Key.F1Varint) status.code = r.int32() as Code;
    else if (key === Key.F2Len) status.message = r.string();
    else r.skipType(key & 7);
  }
  if (r.pos !== end) throw new RangeError('status overruns its length');
  return status;
}

export function decodeResponse(bytes: Uint8Array): TtrpcResponse {
  const r = Reader.create(bytes);
  const res: TtrpcResponse = { payload: EMPTY };
  while (r.pos < r.len) {
    const key = r.uint32();
    if (key === Key.F1Len) {
      const end = r.uint32() + r.pos;
      if (end > r.len) throw new RangeError('status runs past the end of the response');
      res.status = decodeStatus(r, end);
    } else if (key === Key.F2Len) {
      res.payload = r.bytes();
    } else {
      r.skipType(key & 7);
    }
  }
  return res;
}
