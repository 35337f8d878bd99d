/**
 * Routes reaped exits to the process that owns the pid.
 *
 * A container process can exit before the shim has read its pid file (runc create and
 * exec --detach return after the process is running, and the reaper may see it die first),
 * so exits of pids nobody has claimed yet are kept until claimed or until they are stale.
 */
import type { ExitInfo } from './lifecycle-event';

export type ExitHandler = (exit: ExitInfo) => void;

/** Unclaimed exits older than this belong to processes we will never claim (runc's own helpers). */
const unclaimedTtlMs = 60_000;

export class ExitRouter {
  private readonly owners = new Map<number, ExitHandler>();
  private readonly unclaimed = new Map<number, ExitInfo>();

  /** Feed from the reaper. */
  deliver(exit: ExitInfo): void {
    const owner = this.owners.get(exit.pid);
    if (owner) {
      this.owners.delete(exit.pid);
      owner(exit);
      return;
    }
    this.dropStale(exit.exitedAt.getTime());
    this.unclaimed.set(exit.pid, exit);
  }

  /** The handler runs once, now if the pid already exited, else when it does. */
  claim(pid: number, handler: ExitHandler): void {
    const early = this.unclaimed.get(pid);
    if (early) {
      this.unclaimed.delete(pid);
      handler(early);
      return;
    }
    this.owners.set(pid, handler);
  }

  release(pid: number): void {
    this.owners.delete(pid);
  }

  private dropStale(now: number): void {
    for (const [pid, exit] of this.unclaimed) {
      if (now - exit.exitedAt.getTime() > unclaimedTtlMs) this.unclaimed.delete(pid);
    }
  }
}
