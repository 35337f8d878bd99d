/**
 * Mounts and the paths masked over them.
 *
 * - procfs only at /proc and sysfs only at /sys: a second instance elsewhere would come
 *   without the masked and read-only paths. sysfs and any cgroup filesystem are read-only.
 * - bind mounts of the host's /, /proc, /sys, /dev or a runtime socket are host access.
 * - shared propagation (rshared mounts, a shared rootfs) is how CVE-2025-52881 and
 *   CVE-2025-31133 raced one container's mounts against another's setup: refused.
 * - /dev/shm is always sized.
 * - masked and read-only paths: the request's, plus ours (path-sets.ts).
 */
import { posix } from 'path';
import type { DecisionLog } from './decisions';
import { bounded } from './limits';
import type { OciLinux, OciMount } from './oci-spec';
import { forbiddenBindSources, maskedPaths, readonlyPaths } from './path-sets';
import type { HardeningPolicy } from './policy';

const sharedPropagation = new Set(['shared', 'rshared']);

export function hardenMounts(mounts: readonly OciMount[], policy: HardeningPolicy, log: DecisionLog): OciMount[] {
  const result: OciMount[] = [];
  mounts.forEach((mount, i) => {
    const where = `mounts[${i}]`;
    const options = mount.options ?? [];
    const bind = mount.type === 'bind' || options.includes('bind') || options.includes('rbind');
    let keep = true;
    if (mount.type === 'proc' && posix.normalize(mount.destination) !== '/proc') {
      keep = log.privileged(`procfs at ${mount.destination}`, 'a second procfs has none of the masked paths', where);
    }
    if (mount.type === 'sysfs' && posix.normalize(mount.destination) !== '/sys') {
      keep = log.privileged(`sysfs at ${mount.destination}`, 'a second sysfs has none of the masked paths', where);
    }
    if (bind && mount.source !== undefined && hostBindForbidden(mount.source)) {
      keep = log.privileged(`bind mount of host ${mount.source}`, 'host kernel interfaces, devices and runtime sockets stay on the host', where) && keep;
    }
    const shared = options.filter((o) => sharedPropagation.has(o));
    if (shared.length > 0) {
      keep = log.privileged(`${shared.join(',')} propagation on ${mount.destination}`, 'shared mounts let containers race each other\'s setup (CVE-2025-52881)', where) && keep;
    }
    if (!keep) return;
    result.push(readOnlyKernelMount(sizedShm(mount, policy, log, where), log, where));
  });
  return result;
}

export function hardenPaths(linux: Pick<OciLinux, 'maskedPaths' | 'readonlyPaths' | 'rootfsPropagation'>, log: DecisionLog): Pick<OciLinux, 'maskedPaths' | 'readonlyPaths' | 'rootfsPropagation'> {
  const result: Pick<OciLinux, 'maskedPaths' | 'readonlyPaths' | 'rootfsPropagation'> = {
    rootfsPropagation: linux.rootfsPropagation,
    maskedPaths: union(linux.maskedPaths, maskedPaths, 'masked paths', 'linux.maskedPaths', log),
    readonlyPaths: union(linux.readonlyPaths, readonlyPaths, 'read-only paths', 'linux.readonlyPaths', log),
  };
  const propagation = linux.rootfsPropagation;
  const refused =
    propagation !== undefined &&
    sharedPropagation.has(propagation) &&
    !log.privileged(`${propagation} rootfs propagation`, 'shared mounts let containers race each other\'s setup (CVE-2025-52881)', 'linux.rootfsPropagation');
  if (propagation === undefined || refused) delete result.rootfsPropagation;
  return result;
}

function hostBindForbidden(source: string): boolean {
  const normal = posix.normalize(source).replace(/\/+$/, '') || '/';
  return normal === '/' || forbiddenBindSources.some((p) => normal === p || normal.startsWith(`${p}/`));
}

function readOnlyKernelMount(mount: OciMount, log: DecisionLog, where: string): OciMount {
  if (mount.type !== 'sysfs' && mount.type !== 'cgroup' && mount.type !== 'cgroup2') return mount;
  const options = mount.options ?? [];
  if (options.includes('ro') && !options.includes('rw')) return mount;
  log.record('changed', `${mount.type} at ${mount.destination}`, 'mounted read-only: no writes to the kernel\'s or the cgroup tree', where);
  return { ...mount, options: [...options.filter((o) => o !== 'rw' && o !== 'ro'), 'ro'] };
}

function sizedShm(mount: OciMount, policy: HardeningPolicy, log: DecisionLog, where: string): OciMount {
  if (mount.type !== 'tmpfs' || posix.normalize(mount.destination) !== '/dev/shm') return mount;
  const options = mount.options ?? [];
  const given = options.find((o) => o.startsWith('size='));
  const bytes = given === undefined ? undefined : parseSize(given.slice('size='.length));
  const l = policy.limits;
  const size = bounded(bytes, { what: '/dev/shm size', path: where, default: l.shmDefaultBytes, max: l.shmMaxBytes, overLimit: l.overLimit }, log);
  if (size === bytes) return mount;
  return { ...mount, options: [...options.filter((o) => !o.startsWith('size=')), `size=${size}`] };
}

/** tmpfs sizes: bytes with an optional k/m/g suffix; a percentage of RAM is no size for us. */
function parseSize(text: string): number | undefined {
  const m = /^(\d+)([kmgKMG]?)$/.exec(text);
  if (!m) return undefined;
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(m[1]) * unit;
}

function union(requested: readonly string[] | undefined, ours: readonly string[], what: string, path: string, log: DecisionLog): string[] {
  const result = [...(requested ?? [])];
  const added = ours.filter((p) => !result.includes(p));
  if (added.length > 0) log.record('added', what, `containerd's defaults and the runc CVE targets: ${added.join(', ')}`, path);
  return [...result, ...added];
}
