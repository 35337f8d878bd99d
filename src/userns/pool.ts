/**
 * The host id pool the allocator hands ranges out of: `count` consecutive ranges of
 * RANGE_SIZE ids from `start`, the same numbers for uids and gids.
 *
 * The default starts at 2^30: above every id a distribution gives to users (useradd's
 * SUB_UID_MAX default is 600100000), so no real user or subordinate range is shadowed.
 */
import { InvalidArgumentError } from '../errors';

/** Every pod gets ids 0..65535 inside its namespace. */
export const RANGE_SIZE = 65536;

/** (uid_t)-1 means "no id" to the kernel, so the last usable range ends below it. */
const ID_LIMIT = 2 ** 32 - RANGE_SIZE;

export interface UsernsPool {
  /** first host id of the pool; a multiple of RANGE_SIZE */
  start: number;
  /** how many ranges */
  count: number;
}

export const defaultPool: UsernsPool = { start: 2 ** 30, count: 4096 };

export function poolEnd(pool: UsernsPool): number {
  return pool.start + pool.count * RANGE_SIZE;
}

/** Refuses a pool that could map onto host root's range, is misaligned or runs past the id space. */
export function checkPool(pool: UsernsPool): void {
  const fail = (why: string): never => {
    throw new InvalidArgumentError(`user-namespace pool (start ${pool.start}, ${pool.count} ranges): ${why}`);
  };
  if (!Number.isSafeInteger(pool.start) || pool.start % RANGE_SIZE !== 0) fail(`start must be a multiple of ${RANGE_SIZE}`);
  if (pool.start < RANGE_SIZE) fail(`start must be at least ${RANGE_SIZE}: ids below it are the host's own`);
  if (!Number.isSafeInteger(pool.count) || pool.count < 1) fail('count must be a positive integer');
  if (poolEnd(pool) > ID_LIMIT) fail(`the pool must end by ${ID_LIMIT} (the 32-bit id space)`);
}

/** The range starting at hostID, if it is one of the pool's. */
export function isPoolRange(pool: UsernsPool, hostID: number): boolean {
  return Number.isSafeInteger(hostID) && hostID >= pool.start && hostID < poolEnd(pool) && (hostID - pool.start) % RANGE_SIZE === 0;
}
