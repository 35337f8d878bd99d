/**
 * ttrpc metadata travels as repeated KeyValue pairs; a key may repeat, so the
 * in-memory form is a multimap. Keys are kept exactly as sent (Go's ttrpc
 * does not normalise them on the wire either).
 */
import type { KeyValue } from './messages';

export type Metadata = Map<string, string[]>;

/** What callers may pass: a multimap, or a plain record for the common single-value case. */
export type MetadataInit =
  | ReadonlyMap<string, readonly string[]>
  | Readonly<Record<string, string | readonly string[]>>;

export function toKeyValues(init: MetadataInit | undefined): KeyValue[] {
  if (init === undefined) return [];
  const entries: Iterable<[string, string | readonly string[]]> =
    init instanceof Map ? init.entries() : Object.entries(init);
  const out: KeyValue[] = [];
  for (const [key, values] of entries) {
    for (const value of typeof values === 'string' ? [values] : values) out.push({ key, value });
  }
  return out;
}

export function fromKeyValues(pairs: readonly KeyValue[]): Metadata {
  const md: Metadata = new Map();
  for (const { key, value } of pairs) {
    const values = md.get(key);
    if (values) values.push(value);
    else md.set(key, [value]);
  }
  return md;
}
