/**
 * containerd.task.v2.DeleteResponse{pid:1 uint32, exit_status:2 uint32, exited_at:3 Timestamp},
 * encoded by hand: `delete` runs once per container teardown and should not load the
 * protobuf codecs for 20 bytes. test/unit/bootstrap checks it against the generated codec.
 */
export function encodeDeleteResponse(pid: number, exitStatus: number, exitedAt: Date): Uint8Array {
  const ms = exitedAt.getTime();
  const seconds = Math.floor(ms / 1000);
  const nanos = (ms - seconds * 1000) * 1_000_000;
  const timestamp = [...(seconds ? [0x08, ...varint(seconds)] : []), ...(nanos ? [0x10, ...varint(nanos)] : [])];
  const bytes = [
    ...(pid ? [0x08, ...varint(pid)] : []),
    ...(exitStatus ? [0x10, ...varint(exitStatus)] : []),
    0x1a,
    ...varint(timestamp.length),
    ...timestamp,
  ];
  return Uint8Array.from(bytes);
}

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}
