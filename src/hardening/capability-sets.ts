/**
 * Capability sets as data.
 *
 * - default: what a container keeps when it asks for it. containerd's default minus
 *   MKNOD and NET_RAW (forbidden), SETFCAP (file capabilities are how an image gains
 *   privilege on exec), SYS_CHROOT and AUDIT_WRITE (host audit log) — both grantable
 *   through allowed_capabilities.
 * - runtimeDefault: what containerd's own default specs (ctr and CRI) hand out. A request
 *   for one of these beyond our default is not a privileged request, just the stock
 *   spec, so it is removed quietly (recorded) rather than refused.
 * - forbidden: never granted unless the partition opts in to privileged requests.
 */

export const defaultCapabilities: ReadonlySet<string> = new Set([
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_NET_BIND_SERVICE',
  'CAP_SETGID',
  'CAP_SETPCAP',
  'CAP_SETUID',
]);

export const runtimeDefaultCapabilities: ReadonlySet<string> = new Set([
  ...defaultCapabilities,
  'CAP_AUDIT_WRITE',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETFCAP',
  'CAP_SYS_CHROOT',
]);

/** In the order, most dangerous first: refusals are reported in this order. */
export const forbiddenCapabilities: ReadonlySet<string> = new Set([
  'CAP_SYS_ADMIN',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_PTRACE',
  'CAP_SYS_BOOT',
  'CAP_SYS_TIME',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_BPF',
  'CAP_PERFMON',
  'CAP_DAC_READ_SEARCH',
  'CAP_MAC_ADMIN',
  'CAP_MAC_OVERRIDE',
  'CAP_SYSLOG',
  'CAP_MKNOD',
  'CAP_LINUX_IMMUTABLE',
]);

/** Every capability of Linux 6.x, for validating config and spotting "all capabilities". */
export const knownCapabilities: ReadonlySet<string> = new Set([
  'CAP_AUDIT_CONTROL', 'CAP_AUDIT_READ', 'CAP_AUDIT_WRITE', 'CAP_BLOCK_SUSPEND', 'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE', 'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER',
  'CAP_FSETID', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_KILL', 'CAP_LEASE', 'CAP_LINUX_IMMUTABLE',
  'CAP_MAC_ADMIN', 'CAP_MAC_OVERRIDE', 'CAP_MKNOD', 'CAP_NET_ADMIN', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_RAW', 'CAP_PERFMON', 'CAP_SETFCAP', 'CAP_SETGID', 'CAP_SETPCAP',
  'CAP_SETUID', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_CHROOT', 'CAP_SYS_MODULE', 'CAP_SYS_NICE',
  'CAP_SYS_PACCT', 'CAP_SYS_PTRACE', 'CAP_SYS_RAWIO', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
]);
