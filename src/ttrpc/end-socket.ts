import type { Socket } from 'node:net';

/** How long a closing side waits for its last frames to drain before giving up on the peer. */
const FLUSH_GRACE_MS = 2000;

/**
 * Half-closes after our queued frames are flushed, then destroys. A peer that
 * stopped reading would keep the flush (and so the close) pending forever,
 * hence the grace period; the timer is unref'd so it never holds the process.
 */
export function endSocket(socket: Socket): void {
  if (socket.destroyed) return;
  const timer = setTimeout(() => socket.destroy(), FLUSH_GRACE_MS).unref();
  socket.once('close', () => clearTimeout(timer));
  socket.end(() => socket.destroy());
}
