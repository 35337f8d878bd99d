/**
 * Process capabilities: every set is the request filtered through what the partition
 * grants; nothing is ever added. Ambient and inheritable are emptied: ambient passes
 * capabilities across exec to unprivileged programs, and a non-empty inheritable set
 * with file capabilities did the same (CVE-2022-24769).
 */
import { defaultCapabilities, forbiddenCapabilities, knownCapabilities, runtimeDefaultCapabilities } from './capability-sets';
import type { DecisionLog } from './decisions';
import type { OciCapabilities } from './oci-spec';
import type { HardeningPolicy } from './policy';

const filteredSets = ['bounding', 'effective', 'permitted'] as const;

/** Returns the capabilities to run with; `path` names where they sit (process or exec). */
export function hardenCapabilities(
  requested: OciCapabilities | undefined,
  policy: HardeningPolicy,
  log: DecisionLog,
  path: string,
): OciCapabilities {
  const granted = new Set([...defaultCapabilities, ...policy.allowedCapabilities]);
  const asked = new Set<string>();
  for (const set of filteredSets) for (const cap of requested?.[set] ?? []) asked.add(cap);
  for (const cap of requested?.inheritable ?? []) asked.add(cap);
  for (const cap of requested?.ambient ?? []) asked.add(cap);

  // Beyond the stock set is a deliberate privileged request. The stock extras go quietly
  // (a refusal names only what was deliberately asked), unless the opt-in lets such a
  // request through: then it keeps all it asked for, the stock MKNOD and NET_RAW included.
  const privilegedRequest = [...asked].some((c) => !granted.has(c) && !runtimeDefaultCapabilities.has(c));
  const keep = new Set<string>();
  for (const cap of [...asked].sort(byDanger)) {
    if (granted.has(cap)) {
      keep.add(cap);
    } else if (runtimeDefaultCapabilities.has(cap) && !(privilegedRequest && policy.allowPrivileged)) {
      log.record('removed', cap, `${describe(cap)}; the runtime's default spec carries it`, path);
    } else if (log.privileged(cap, describe(cap), path)) {
      keep.add(cap);
    }
  }

  const result: OciCapabilities = {};
  for (const set of filteredSets) {
    if (requested?.[set] !== undefined) result[set] = requested[set]!.filter((c) => keep.has(c));
  }
  if ((requested?.inheritable?.length ?? 0) > 0) {
    log.record('removed', 'inheritable capabilities', 'inheritable capabilities let file capabilities grant privilege on exec', `${path}.inheritable`);
  }
  if ((requested?.ambient?.length ?? 0) > 0) {
    log.record('removed', 'ambient capabilities', 'ambient capabilities survive exec into unprivileged programs', `${path}.ambient`);
  }
  result.inheritable = [];
  result.ambient = [];
  return result;
}

function describe(cap: string): string {
  if (forbiddenCapabilities.has(cap)) return 'forbidden capability';
  if (!knownCapabilities.has(cap)) return 'unknown capability';
  return 'capability beyond the partition\'s set (hardening.allowed_capabilities)';
}

const dangerOrder = [...forbiddenCapabilities];

/** Forbidden capabilities first, most dangerous first; then the rest by name. */
function byDanger(a: string, b: string): number {
  const rank = (c: string): number => (dangerOrder.includes(c) ? dangerOrder.indexOf(c) : dangerOrder.length);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}
