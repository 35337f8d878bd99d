/** `start` gets the runtime options Any on stdin (0 bytes when there are none). */
import { readFileSync } from 'node:fs';
import type { ConfigSource } from '../config/load';

export function readStdinOptions(): ConfigSource {
  let bytes: Buffer;
  try {
    bytes = readFileSync(0);
  } catch {
    return {};
  }
  if (bytes.length === 0) return {};
  // loaded only when there is something to decode
  const { configSourceFromAny } = require('../task/runtime-options') as typeof import('../task/runtime-options');
  const { google } = require('../wire/gen/options') as typeof import('../wire/gen/options');
  return configSourceFromAny(google.protobuf.Any.decode(bytes));
}
