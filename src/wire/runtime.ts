/**
 * The protobuf runtime the generated codecs in gen/ require (pbjs --dependency ../runtime).
 * It is protobufjs's one-file minimal bundle: ~2 ms to load, where protobufjs/minimal resolves
 * ~20 files and pulls in `long` (which compiles WebAssembly), ~12 ms, paid by every `start`.
 * The bundle finds no Long class, which would make 64-bit fields decode as rounded doubles,
 * so WireLong is installed here, before any codec module defines its field defaults.
 */
import type * as Protobuf from 'protobufjs/minimal';
import { WireLong } from './wire-long';

// A plain require: the bundle ships no typings of its own; it is the same API as protobufjs/minimal.
const protobuf = require('protobufjs/dist/minimal/protobuf.min.js') as typeof Protobuf;
protobuf.util.Long = WireLong;
protobuf.configure();

export const { Reader, Writer, util, roots } = protobuf;
