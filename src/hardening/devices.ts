/**
 * Devices: null, zero, full, random, urandom, tty, ptmx and the pts; nothing else.
 *
 * A device node the request brings in (linux.devices) beyond those is a host device:
 * refused. The device cgroup list is rewritten to deny everything but those; extra allow
 * rules from the stock specs (/dev/console, tun) are dropped, specific deny rules kept.
 * runc 1.1 appends its own defaults after ours (mknod of any node, tun); no container
 * holds CAP_MKNOD and none is given a tun node, so those rules reach nothing.
 */
import type { DecisionLog } from './decisions';
import type { OciDevice, OciDeviceRule } from './oci-spec';

interface AllowedDevice {
  path: string;
  major: number;
  /** undefined: every minor (the pts) */
  minor?: number;
}

export const allowedDevices: readonly AllowedDevice[] = [
  { path: '/dev/null', major: 1, minor: 3 },
  { path: '/dev/zero', major: 1, minor: 5 },
  { path: '/dev/full', major: 1, minor: 7 },
  { path: '/dev/random', major: 1, minor: 8 },
  { path: '/dev/urandom', major: 1, minor: 9 },
  { path: '/dev/tty', major: 5, minor: 0 },
  { path: '/dev/ptmx', major: 5, minor: 2 },
  { path: '/dev/pts/*', major: 136 },
];

export function canonicalDeviceRules(): OciDeviceRule[] {
  return [
    { allow: false, access: 'rwm' },
    ...allowedDevices.map((d): OciDeviceRule =>
      d.minor === undefined ? { allow: true, type: 'c', major: d.major, access: 'rwm' } : { allow: true, type: 'c', major: d.major, minor: d.minor, access: 'rwm' },
    ),
  ];
}

function allowedNode(device: OciDevice): boolean {
  return device.type === 'c' && allowedDevices.some((a) => a.major === device.major && (a.minor === undefined || a.minor === device.minor));
}

function covered(rule: OciDeviceRule): boolean {
  return rule.type === 'c' && rule.major !== undefined && allowedDevices.some((a) => a.major === rule.major && (a.minor === undefined || a.minor === rule.minor));
}

export function hardenDeviceNodes(devices: readonly OciDevice[], log: DecisionLog): OciDevice[] {
  return devices.filter(
    (d) => allowedNode(d) || log.privileged(`host device ${d.path} (${d.type} ${d.major ?? '*'}:${d.minor ?? '*'})`, 'only null, zero, full, random, urandom, tty, ptmx and pts are given', 'linux.devices'),
  );
}

/** `keptNodes`: host devices let through by the opt-in keep their cgroup access too. */
export function hardenDeviceRules(rules: readonly OciDeviceRule[], keptNodes: readonly OciDevice[], log: DecisionLog): OciDeviceRule[] {
  const extraAllows = rules.filter((r) => r.allow && !covered(r));
  const denies = rules.filter((r) => !r.allow && (r.type !== undefined || r.major !== undefined));
  const forNodes = keptNodes
    .filter((d) => !allowedNode(d))
    .map((d): OciDeviceRule => ({ allow: true, type: d.type, major: d.major, minor: d.minor, access: 'rwm' }));
  const dropped = extraAllows.filter((r) => !forNodes.some((n) => sameDevice(n, r)));
  if (dropped.length > 0) {
    log.record('removed', 'device cgroup allow rules', dropped.map(describeRule).join(', '), 'linux.resources.devices');
  }
  return [...canonicalDeviceRules(), ...denies, ...forNodes];
}

function sameDevice(a: OciDeviceRule, b: OciDeviceRule): boolean {
  return a.type === b.type && a.major === b.major && a.minor === b.minor;
}

function describeRule(r: OciDeviceRule): string {
  return `${r.type ?? 'a'} ${r.major ?? '*'}:${r.minor ?? '*'} ${r.access ?? 'rwm'}`;
}
