/** google.protobuf.Timestamp from and to Date; a missing time encodes as no field (the zero time). */
export function toTimestamp(date: Date | undefined): { seconds: number; nanos: number } | undefined {
  if (!date || date.getTime() === 0) return undefined;
  const ms = date.getTime();
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1_000_000 };
}
