/**
 * The host-wide user-namespace range allocator. Every pod gets its own RANGE_SIZE host ids
 * (uids and gids alike) out of the pool; the state file is shared by every shim of every
 * node partition on the host, persists across shim and host restarts, and is changed only
 * under the host lock, so no range is ever held by two live pods.
 *
 * A pod is named by its partition and an id the caller picks: the Kubernetes pod UID keeps a
 * pod's range across sandbox restarts; the sandbox id gives a fresh range per sandbox.
 * Ranges are freed by release() when the pod is deleted, and otherwise once no process that
 * holds them lives (holders.ts): every allocate() collects those first, so what a killed
 * shim or a host reboot left behind goes back to the pool without any shim being alive.
 */
import { FailedPreconditionError, ResourceExhaustedError } from '../errors';
import type { IdMapping, Sys } from '../sys/sys';
import { withHostLock } from './host-lock';
import { checkPool, defaultPool, isPoolRange, RANGE_SIZE, type UsernsPool } from './pool';
import { collectRanges, type Holder, type LivenessFacts } from './holders';
import { procHostProcesses, type HostProcesses } from './host-processes';
import { adoptLegacyRanges } from './legacy-ranges';
import { requestedRange, type RequestedMapping } from './requested-mapping';
import { readState, writeState, type AllocatedRange, type UsernsState } from './state-file';
import { checkPoolAgainstSubids, readSubidEntries } from './subid-files';

export const defaultStatePath = '/var/lib/metassembly/userns.json';

/**
 * How long a shim daemon holds a range for a container it is creating. Long enough for the
 * slowest create on a loaded host (mounts, runc create); a create outliving it fails in
 * hold() rather than share a range.
 */
export const defaultCreateGraceMs = 5 * 60_000;

export interface UsernsAllocatorOptions {
  sys: Pick<Sys, 'flock'>;
  /** this shim's node partition: pods are named within it */
  partition: string;
  statePath?: string;
  pool?: UsernsPool;
  lockTimeoutMs?: number;
  /** /etc/subuid and /etc/subgid, checked by open() */
  subidFiles?: readonly string[];
  now?: () => Date;
  /** the /proc reads liveness needs (default: this host's) */
  processes?: HostProcesses;
  createGraceMs?: number;
  /** told of every range collected from a pod none of whose processes lives */
  onCollected?: (range: AllocatedRange) => void;
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
  private readonly processes: HostProcesses;
  private readonly createGraceMs: number;

  /** Checks the pool against the host's subordinate-id files, then builds the allocator. */
  static open(options: UsernsAllocatorOptions): UsernsAllocator {
    const allocator = new UsernsAllocator(options);
    checkPoolAgainstSubids(allocator.pool, readSubidEntries(options.subidFiles));
    return allocator;
  }

  constructor(private readonly options: UsernsAllocatorOptions) {
    this.statePath = options.statePath ?? defaultStatePath;
    this.pool = options.pool ?? defaultPool;
    this.processes = options.processes ?? procHostProcesses();
    this.createGraceMs = options.createGraceMs ?? defaultCreateGraceMs;
    checkPool(this.pool);
  }

  /**
   * The pod's range: the one it already holds, else the requested one if the rules allow
   * it, else the next free one. Idempotent per pod, so every container of a pod gets the same.
   * Until hold() names the container's init, this daemon holds the range for `container`.
   */
  async allocate(podId: string, requested?: RequestedMapping, container?: string): Promise<PodRange> {
    const wanted = requested === undefined ? undefined : requestedRange(requested, this.pool, podId);
    return this.locked((state) => {
      this.collect(state);
      const held = state.ranges.find((r) => this.owns(r, podId));
      if (held !== undefined) {
        if (wanted !== undefined && wanted !== held.hostID) {
          throw new FailedPreconditionError(
            `pod ${podId} already holds user-namespace range ${held.hostID} and now asks for ${wanted}; a pod keeps one range`,
          );
        }
        this.holdWhileCreating(held, container);
        return { result: toPodRange(held), changed: true };
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
        allocatedAt: this.now().toISOString(),
        requested: wanted !== undefined,
        holders: [],
      };
      this.holdWhileCreating(entry, container);
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

  /**
   * The container's init `pid` now holds the pod's range, in place of the daemon that created
   * it. Refused when the range is no longer the pod's (collected after the create grace): the
   * container must not run on ids that may be another pod's by now.
   */
  hold(podId: string, container: string, pid: number): Promise<void> {
    return this.locked((state) => {
      const held = state.ranges.find((r) => this.owns(r, podId));
      if (held === undefined) {
        throw new FailedPreconditionError(
          `pod ${podId} no longer holds a user-namespace range: creating container ${container} took longer than ` +
            `${this.createGraceMs} ms and no process of the pod was alive, so the range went back to the pool`,
        );
      }
      // A range from before holders stays so until adopted with all its processes (legacy-ranges.ts).
      if (held.holders === undefined) return { result: undefined, changed: false };
      const holders = held.holders.filter((h) => !(h.role === 'creating' && h.container === container));
      const start = this.processes.stat(pid)?.start;
      // An init that already exited holds nothing.
      if (start !== undefined) holders.push({ boot: this.processes.bootId(), pid, start, role: 'init', container });
      held.holders = holders;
      return { result: undefined, changed: true };
    });
  }

  /** Frees, under the lock, every range whose holders are all gone; adopts legacy ranges' holders first. */
  private collect(state: UsernsState): void {
    const now = this.now();
    adoptLegacyRanges(state.ranges, this.processes, now, this.createGraceMs);
    const facts: LivenessFacts = {
      bootId: this.processes.bootId(),
      startTime: (pid) => this.processes.stat(pid)?.start,
      now,
    };
    const { freed } = collectRanges(state.ranges, facts);
    for (const range of freed) this.options.onCollected?.(range);
  }

  private holdWhileCreating(range: AllocatedRange, container: string | undefined): void {
    if (range.holders === undefined) return; // held anyway until adopted (legacy-ranges.ts)
    const self = this.processes.selfPid();
    const start = this.processes.stat(self)?.start;
    if (start === undefined) throw new FailedPreconditionError(`cannot read this shim's own /proc/${self}/stat`);
    const creating: Holder = {
      boot: this.processes.bootId(),
      pid: self,
      start,
      role: 'creating',
      until: new Date(this.now().getTime() + this.createGraceMs).toISOString(),
    };
    if (container !== undefined) creating.container = container;
    const others = range.holders.filter((h) => !(h.role === 'creating' && h.pid === self && h.container === container));
    range.holders = [...others, creating];
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
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
