import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as protobuf from 'protobufjs';
import { NotFoundError } from '../../src/errors';

const protoFile = join('proto', 'cri', 'runtime', 'v1', 'api.proto');

// Runs from tools/cri under ts-node-like setups and from build/tools/cri once compiled, so
// the repository is found by walking up rather than by a fixed depth.
function findProto(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, protoFile);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new NotFoundError(`${protoFile} not found above ${start}`);
  }
}

let root: protobuf.Root | undefined;

/** The CRI v1 types, parsed once from our .proto at run time (a test tool: no codegen step). */
export function criRoot(): protobuf.Root {
  root ??= protobuf.loadSync(findProto(__dirname));
  return root;
}

/** How responses become plain objects: exact 64-bit integers, enum names, every field present. */
const toObjectOptions: protobuf.IConversionOptions = {
  longs: BigInt,
  enums: String,
  bytes: Buffer,
  defaults: true,
  arrays: true,
  objects: true,
};

export interface Codec<T> {
  encode(value: T): Buffer;
  decode(bytes: Buffer): T;
}

/** Encoder and decoder for one message, by its name in package runtime.v1. */
export function codec<T>(name: string): Codec<T> {
  const type = criRoot().lookupType(`runtime.v1.${name}`);
  return {
    encode: (value) => Buffer.from(type.encode(type.fromObject(value as object)).finish()),
    decode: (bytes) => type.toObject(type.decode(bytes), toObjectOptions) as T,
  };
}
