/** `start` and `-info` get the runtime options Any on stdin (0 bytes when there are none). */
import { readFileSync } from 'node:fs';
import type { ConfigSource } from '../config/load';
import { configSourceFromOptions } from '../task/runtime-options';

export function readStdinOptions(): ConfigSource {
  let bytes: Buffer;
  try {
    bytes = readFileSync(0);
  } catch {
    return {};
  }
  if (bytes.length === 0) return {};
  // the options codec is loaded only when there is something to decode
  const { decodeOptionsStdin } = require('../wire/options') as typeof import('../wire/options');
  return configSourceFromOptions(decodeOptionsStdin(bytes));
}
