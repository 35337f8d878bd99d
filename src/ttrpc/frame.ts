/**
 * ttrpc framing: a 10-byte header (length u32 BE, stream id u32 BE, type u8,
 * flags u8) followed by `length` payload bytes. See PROTOCOL.md beside this file.
 */

export const HEADER_LENGTH = 10;
/** Largest payload either side accepts; larger frames are skipped, never buffered. */
export const MAX_PAYLOAD = 4 << 20;

export enum MessageType {
  Request = 0x01,
  Response = 0x02,
  Data = 0x03,
}

export interface FrameHeader {
  length: number;
  streamId: number;
  type: MessageType;
  /** Only streaming calls use flags (see PROTOCOL.md); unary frames carry 0 and we ignore them on input. */
  flags: number;
}

/** One whole frame as a single buffer, so a single socket.write can never interleave with another. */
export function encodeFrame(streamId: number, type: MessageType, flags: number, payload: Uint8Array): Buffer {
  if (payload.length > MAX_PAYLOAD) {
    throw new RangeError(`frame payload of ${payload.length} bytes exceeds the ${MAX_PAYLOAD} byte limit`);
  }
  const frame = Buffer.allocUnsafe(HEADER_LENGTH + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame.writeUInt32BE(streamId >>> 0, 4);
  frame.writeUInt8(type, 8);
  frame.writeUInt8(flags, 9);
  frame.set(payload, HEADER_LENGTH);
  return frame;
}

export function decodeHeader(bytes: Uint8Array): FrameHeader {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, HEADER_LENGTH);
  return {
    length: view.readUInt32BE(0),
    streamId: view.readUInt32BE(4),
    type: view.readUInt8(8),
    flags: view.readUInt8(9),
  };
}

export interface FrameSink {
  /** A complete frame of a known type within the size limit. */
  frame(header: FrameHeader, payload: Buffer): void;
  /** A frame over MAX_PAYLOAD whose payload has now been skipped; the stream stays in sync. */
  oversized(header: FrameHeader): void;
  /** The byte stream cannot be framed any more (unknown type); the parser stops for good. */
  corrupt(reason: string): void;
}

function isKnownType(type: number): type is MessageType {
  return type === MessageType.Request || type === MessageType.Response || type === MessageType.Data;
}

/**
 * Incremental parser over socket chunks, which may split or coalesce frames
 * arbitrarily. A payload that fits in one chunk is handed out as a view (no
 * copy); otherwise it is assembled in one buffer sized from the header.
 */
export class FrameParser {
  private readonly headerBytes = Buffer.alloc(HEADER_LENGTH);
  private headerFilled = 0;
  private header: FrameHeader | undefined;
  private payload: Buffer | undefined;
  private payloadFilled = 0;
  private discardLeft = 0;
  private dead = false;

  constructor(private readonly sink: FrameSink) {}

  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length && !this.dead) {
      if (this.header === undefined) {
        offset = this.takeHeader(chunk, offset);
      } else if (this.discardLeft > 0) {
        offset = this.skipPayload(chunk, offset, this.header);
      } else {
        offset = this.takePayload(chunk, offset, this.header);
      }
    }
  }

  private takeHeader(chunk: Buffer, offset: number): number {
    const n = Math.min(HEADER_LENGTH - this.headerFilled, chunk.length - offset);
    chunk.copy(this.headerBytes, this.headerFilled, offset, offset + n);
    this.headerFilled += n;
    if (this.headerFilled < HEADER_LENGTH) return offset + n;
    this.headerFilled = 0;
    const header = decodeHeader(this.headerBytes);
    // An unknown type means we can no longer trust where the next frame starts.
    const type: number = header.type;
    if (!isKnownType(type)) {
      this.dead = true;
      this.sink.corrupt(`unknown message type 0x${type.toString(16)} on stream ${header.streamId}`);
      return chunk.length;
    }
    if (header.length > MAX_PAYLOAD) {
      this.header = header;
      this.discardLeft = header.length;
    } else if (header.length === 0) {
      this.sink.frame(header, Buffer.alloc(0));
    } else {
      this.header = header;
    }
    return offset + n;
  }

  private skipPayload(chunk: Buffer, offset: number, header: FrameHeader): number {
    const n = Math.min(this.discardLeft, chunk.length - offset);
    this.discardLeft -= n;
    if (this.discardLeft === 0) {
      this.header = undefined;
      this.sink.oversized(header);
    }
    return offset + n;
  }

  private takePayload(chunk: Buffer, offset: number, header: FrameHeader): number {
    const available = chunk.length - offset;
    if (this.payload === undefined && available >= header.length) {
      this.header = undefined;
      this.sink.frame(header, chunk.subarray(offset, offset + header.length));
      return offset + header.length;
    }
    const payload = (this.payload ??= Buffer.allocUnsafe(header.length));
    const n = Math.min(header.length - this.payloadFilled, available);
    chunk.copy(payload, this.payloadFilled, offset, offset + n);
    this.payloadFilled += n;
    if (this.payloadFilled === header.length) {
      this.header = undefined;
      this.payload = undefined;
      this.payloadFilled = 0;
      this.sink.frame(header, payload);
    }
    return offset + n;
  }
}
