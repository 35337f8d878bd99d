/**
 * Where copied bytes go. A sink never fails its writer: when its destination is
 * gone it drops the bytes, so the copy keeps draining the process's pipe and the
 * process never blocks on a reader that left.
 */
export interface OutputSink {
  /** Resolves when the sink can take more (backpressure); never rejects. */
  write(chunk: Buffer): Promise<void>;
  /** Releases the destination; after the last write resolved, nothing is lost. Idempotent. */
  close(): void;
}
