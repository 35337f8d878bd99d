/**
 * The host-wide user-namespace range allocator. Every pod gets its own RANGE_SIZE host ids
 * (uids and gids alike) out of the pool; the state file is shared by every shim of every
 * node partition on the host, persists across shim and host restarts, and is changed only
 * under the host lock, so no range is ever held by two live pods.
 *
 * A pod is named by its partition and an id the caller picks: the Kubernetes pod UID keeps a
 * pod's range across sandbox restarts; the sandbox id gives a fresh range per sandbox.
 * Ranges are freed by release() when the pod is gone, or by reconcile() given the
 * partition's live pods, which also collects what a crash or host reboot left behind.
 */
import { FailedPreconditionError, ResourceExhaustedError } from '../errors';
import type { IdMapping, Sys } from '../sys/sys';
import { withHostLock } from './host-lock';
import { checkPool, defaultPool, isPoolRange, RANGE_SIZE, type UsernsPool } from './pool';
import { requestedRange, type RequestedMapping } from './requested-mapping';
import { readState, writeState, type AllocatedRange, type UsernsState } from './state-file';
import { checkPoolAgainstSubids, readSubidEntries } from './subid-files';

export const defaultStatePath = '/var/lib/metassembly/userns.json';

export interface UsernsAllocatorOptions {
  sys: Pick<Sys, 'flock'>;
  /** this shim's node partition: reconcile() frees only its own pods' ranges */
  partition: string;
  statePath?: string;
  pool?: UsernsPool;
  lockTimeoutMs?: number;
  /** /etc/subuid and /etc/subgid, checked by open() */
  subidFiles?: readonly string[];
  now?: () => Date;
}

/** A pod's range and the mappings that put container ids 0..size-1 on it. */
export interface PodRange {
  hostID: number;
  size: number;
  uidMappings: IdMapping[];
  gidMappings: IdMapping[];
}

export class UsernsAllocator {
  readonly statePath: string;
  readonly pool: UsernsPool;

  /** Checks the pool against the host's subordinate-id files, then builds the allocator. */
  static open(options: UsernsAllocatorOptions): UsernsAllocator {
    const allocator = new UsernsAllocator(options);
    checkPoolAgainstSubids(allocator.pool, readSubidEntries(options.subidFiles));
    return allocator;
  }

  constructor(private readonly options: UsernsAllocatorOptions) {
    this.statePath = options.statePath ?? defaultStatePath;
    this.pool = options.pool ?? defaultPool;
    checkPool(this.pool);
  }

  /**
   * The pod's range: the one it already holds, else the requested one if the rules allow
   * it, else the next free one. Idempotent per pod, so every container of a pod gets the same.
   */
  async allocate(podId: string, requested?: RequestedMapping): Promise<PodRange> {
    const wanted = requested === undefined ? undefined : requestedRange(requested, this.pool, podId);
    return this.locked((state) => {
      const held = state.ranges.find((r) => this.owns(r, podId));
      if (held !== undefined) {
        if (wanted !== undefined && wanted !== held.hostID) {
          throw new FailedPreconditionError(
            `pod ${podId} already holds user-namespace range ${held.hostID} and now asks for ${wanted}; a pod keeps one range`,
          );
        }
        return { result: toPodRange(held), changed: false };
      }
      const hostID = wanted ?? this.nextFree(state);
      const other = state.ranges.find((r) => r.hostID === hostID);
      if (other !== undefined) {
        throw new FailedPreconditionError(
          `pod ${podId}: the requested user-namespace range ${hostID} is held by pod ${other.owner.pod} of partition ` +
            `"${other.owner.partition}"; a range is never given to two live pods`,
        );
      }
      const entry: AllocatedRange = {
        hostID,
        size: RANGE_SIZE,
        owner: { partition: this.options.partition, pod: podId },
        allocatedAt: (this.options.now?.() ?? new Date()).toISOString(),
        requested: wanted !== undefined,
      };
      state.ranges.push(entry);
      state.ranges.sort((a, b) => a.hostID - b.hostID);
      if (wanted === undefined) state.next = hostID + RANGE_SIZE;
      return { result: toPodRange(entry), changed: true };
    });
  }

  lookup(podId: string): Promise<PodRange | undefined> {
    return this.locked((state) => {
      const held = state.ranges.find((r) => this.owns(r, podId));
      return { result: held && toPodRange(held), changed: false };
    });
  }

  /** Frees the pod's range; false if it held none. */
  release(podId: string): Promise<boolean> {
    return this.locked((state) => {
      const before = state.ranges.length;
      state.ranges = state.ranges.filter((r) => !this.owns(r, podId));
      const changed = state.ranges.length !== before;
      return { result: changed, changed };
    });
  }

  /** Frees every range of this partition whose pod is not live; returns those pods' ids. */
  reconcile(livePodIds: Iterable<string>): Promise<string[]> {
    const live = new Set(livePodIds);
    return this.locked((state) => {
      const gone = state.ranges.filter((r) => r.owner.partition === this.options.partition && !live.has(r.owner.pod));
      state.ranges = state.ranges.filter((r) => !gone.includes(r));
      return { result: gone.map((r) => r.owner.pod), changed: gone.length > 0 };
    });
  }

  private owns(r: AllocatedRange, podId: string): boolean {
    return r.owner.partition === this.options.partition && r.owner.pod === podId;
  }

  /** Next fit from the cursor: a just-freed range is the last to be handed out again. */
  private nextFree(state: UsernsState): number {
    const taken = new Set(state.ranges.map((r) => r.hostID));
    const { start, count } = this.pool;
    const first = isPoolRange(this.pool, state.next) ? (state.next - start) / RANGE_SIZE : 0;
    for (let i = 0; i < count; i++) {
      const hostID = start + ((first + i) % count) * RANGE_SIZE;
      if (!taken.has(hostID)) return hostID;
    }
    throw new ResourceExhaustedError(
      `all ${count} user-namespace ranges of the pool (from ${start}) are held by live pods; enlarge the pool or release pods`,
    );
  }

  private locked<T>(body: (state: UsernsState) => { result: T; changed: boolean }): Promise<T> {
    return withHostLock(
      this.options.sys,
      `${this.statePath}.lock`,
      () => {
        const state = readState(this.statePath);
        const { result, changed } = body(state);
        if (changed) writeState(this.statePath, state);
        return result;
      },
      { timeoutMs: this.options.lockTimeoutMs },
    );
  }
}

function toPodRange(r: AllocatedRange): PodRange {
  const mapping = [{ containerID: 0, hostID: r.hostID, size: r.size }];
  return { hostID: r.hostID, size: r.size, uidMappings: mapping, gidMappings: mapping.map((m) => ({ ...m })) };
}
