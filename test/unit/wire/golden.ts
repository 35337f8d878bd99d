/**
 * Golden bytes for the wire tests, written by hand from the field numbers: a string part is hex
 * (spaces ignored), a Uint8Array part is taken as is (use text() for ASCII payloads).
 */
export function bytes(...parts: Array<string | Uint8Array>): Buffer {
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p.replace(/\s+/g, ''), 'hex') : p)));
}

export function text(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}

export function hexOf(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
