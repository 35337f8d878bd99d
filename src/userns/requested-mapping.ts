/**
 * A mapping the pod arrived with (Kubernetes `hostUsers: false`: kubelet picks the range and
 * containerd passes it as linux.uidMappings/gidMappings). The allocator can only honour the
 * shape it hands out itself: container ids 0..65535 onto one pool range, uid range = gid range.
 */
import { InvalidArgumentError } from '../errors';
import type { IdMapping } from '../sys/sys';
import { isPoolRange, poolEnd, RANGE_SIZE, type UsernsPool } from './pool';

export interface RequestedMapping {
  uidMappings: IdMapping[];
  gidMappings: IdMapping[];
}

/** The host id the request starts at, or an error that says what is wrong with it. */
export function requestedRange(request: RequestedMapping, pool: UsernsPool, podId: string): number {
  const fail = (why: string): never => {
    throw new InvalidArgumentError(
      `pod ${podId}: the requested user-namespace mapping ${describe(request)} ${why}; this host gives each pod ` +
        `container ids 0-${RANGE_SIZE - 1} on one ${RANGE_SIZE}-aligned range of the pool ${pool.start}..${poolEnd(pool) - 1} ` +
        '(point the kubelet\'s subordinate ids, the "kubelet" entry of /etc/subuid and /etc/subgid, at that pool)',
    );
  };
  const [uid] = request.uidMappings;
  const [gid] = request.gidMappings;
  if (request.uidMappings.length !== 1 || request.gidMappings.length !== 1) fail('is not exactly one uid and one gid line');
  if (uid.containerID !== 0 || uid.size !== RANGE_SIZE) fail(`does not map container ids 0-${RANGE_SIZE - 1}`);
  if (gid.containerID !== uid.containerID || gid.hostID !== uid.hostID || gid.size !== uid.size) fail('maps gids differently from uids');
  if (!isPoolRange(pool, uid.hostID)) fail('is not a range of the pool');
  return uid.hostID;
}

function describe(request: RequestedMapping): string {
  const lines = (ms: IdMapping[]) => ms.map((m) => `${m.containerID}:${m.hostID}:${m.size}`).join(',') || 'none';
  return `(uid ${lines(request.uidMappings)}; gid ${lines(request.gidMappings)})`;
}
