/**
 * Which sysctls a container may set. Safe: Kubernetes' safe set (namespaced and unable
 * to affect other pods). Namespaced: the kernel keeps a copy per network or IPC
 * namespace, so a write lands in the container's own namespace, never the host's.
 */

export const safeSysctls: ReadonlySet<string> = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ping_group_range',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.tcp_wmem',
]);

/** Which namespace a sysctl (or a `prefix.`) belongs to, or undefined for a host-wide one. */
export function sysctlNamespace(name: string): 'network' | 'ipc' | undefined {
  if (name.startsWith('net.')) return 'network';
  if (name === 'kernel.sem' || name.startsWith('kernel.shm') || name.startsWith('kernel.msg') || name.startsWith('fs.mqueue.')) {
    return 'ipc';
  }
  return undefined;
}

export function namespacedSysctl(name: string): boolean {
  return sysctlNamespace(name) !== undefined;
}
