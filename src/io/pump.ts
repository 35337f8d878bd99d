import type { Readable } from 'node:stream';
import type { OutputSink } from './output-sink';

/**
 * Copies source to sink until the source ends, then closes the sink (the reader's
 * EOF). Reading is pull-driven: the next chunk is read only after the sink took the
 * last one, so a slow reader slows the writer instead of growing our memory.
 * The source erroring is an end too: EIO is how a pty master reports that the
 * slave side closed, and close() destroys sources mid-copy. Never rejects.
 */
export async function pump(source: Readable, sink: OutputSink): Promise<void> {
  try {
    for await (const chunk of source) await sink.write(chunk as Buffer);
  } catch {
    // end of input, see above
  } finally {
    sink.close();
  }
}
