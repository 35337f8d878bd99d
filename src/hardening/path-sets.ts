/**
 * Masked and read-only paths, as data: containerd's defaults, plus what the 2024–2025
 * runc CVEs aimed at.
 *
 * CVE-2025-31133 (/dev/null swapped for a symlink while masking), CVE-2025-52565 (the
 * /dev/console bind mount) and CVE-2025-52881 (procfs writes redirected through shared
 * mounts) all end in a writable /proc/sysrq-trigger or /proc/sys/kernel/core_pattern:
 * both are masked here as well as read-only, so a container never gets them writable
 * through one lost race. CVE-2024-21626 (a leaked host fd reached as the working
 * directory) is closed in process.ts.
 */

export const maskedPaths: readonly string[] = [
  // containerd's defaults
  '/proc/acpi',
  '/proc/asound',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  // containerd 2.x adds these (RAPL power readings leak other tenants' activity)
  '/sys/devices/virtual/powercap',
  '/proc/interrupts',
  // the CVE targets
  '/proc/sysrq-trigger',
  '/proc/sys/kernel/core_pattern',
  // kernel addresses help exploits; host root sees them, a container has no use for them
  '/proc/kallsyms',
];

export const readonlyPaths: readonly string[] = [
  '/proc/bus',
  '/proc/fs',
  '/proc/irq',
  '/proc/sys',
  '/proc/sysrq-trigger',
];

/**
 * Host paths no bind mount may bring in (they and everything below): the host's kernel
 * interfaces, its devices, and the runtime sockets that would let a container start
 * containers. The host root itself is checked apart (only "/" exactly). containerd's
 * own state dirs stay allowed: CRI binds hosts, resolv.conf and the pod's shm from there.
 */
export const forbiddenBindSources: readonly string[] = [
  '/proc',
  '/sys',
  '/dev',
  '/run/containerd/containerd.sock',
  '/run/containerd/s',
  '/var/run/containerd/containerd.sock',
  '/run/docker.sock',
  '/var/run/docker.sock',
];
