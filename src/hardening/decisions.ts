/**
 * What the policy did to a spec and why: the audit record (the caller writes it as
 * JSON lines), collected in application order so the same input gives the same list.
 */
import { InvalidArgumentError } from '../errors';
import { privilegedOptInKey } from './policy';

/** A privileged request refuses dozens of items; the audit log has them all. */
const shownPerReason = 6;

export type DecisionAction = 'changed' | 'added' | 'removed' | 'refused' | 'allowed-by-opt-in';

export interface Decision {
  what: string;
  action: DecisionAction;
  why: string;
  /** where in the spec, dotted (e.g. "linux.seccomp") */
  path?: string;
}

/**
 * A request the policy refuses. InvalidArgument, not FailedPrecondition: the request
 * itself is unacceptable to this partition whatever the host's state, and retrying it
 * unchanged can never succeed; containerd shows our message either way.
 */
export class HardeningRefusedError extends InvalidArgumentError {
  readonly decisions: readonly Decision[];
  constructor(containerId: string, decisions: readonly Decision[], privilegedRefused: boolean) {
    super(
      `hardening policy refused container ${containerId}: ${summarize(decisions.filter((d) => d.action === 'refused'))}` +
        (privilegedRefused
          ? `. An operator can allow privileged requests for this partition by setting ${privilegedOptInKey} = true in the shim config`
          : ''),
    );
    this.decisions = decisions;
  }
}

/** "why: what, what, ... and N more" per reason, in first-seen order. */
function summarize(refused: readonly Decision[]): string {
  const byWhy = new Map<string, string[]>();
  for (const d of refused) byWhy.set(d.why, [...(byWhy.get(d.why) ?? []), d.what]);
  return [...byWhy]
    .map(([why, whats]) => `${whats.slice(0, shownPerReason).join(', ')}${whats.length > shownPerReason ? ` and ${whats.length - shownPerReason} more` : ''}: ${why}`)
    .join('; ');
}

export class DecisionLog {
  private readonly list: Decision[] = [];
  private privilegedRefused = false;
  constructor(private readonly allowPrivileged: boolean) {}

  record(action: Exclude<DecisionAction, 'refused' | 'allowed-by-opt-in'>, what: string, why: string, path?: string): void {
    this.list.push(path === undefined ? { what, action, why } : { what, action, why, path });
  }

  /**
   * A privileged request: refused, or let through when the partition opted in.
   * Returns true when the caller should keep the item.
   */
  privileged(what: string, why: string, path?: string): boolean {
    const action = this.allowPrivileged ? 'allowed-by-opt-in' : 'refused';
    this.list.push(path === undefined ? { what, action, why } : { what, action, why, path });
    if (!this.allowPrivileged) this.privilegedRefused = true;
    return this.allowPrivileged;
  }

  /** A request no opt-in lets through (e.g. above a limit the partition refuses to clamp). */
  refuse(what: string, why: string, path?: string): void {
    this.list.push(path === undefined ? { what, action: 'refused', why } : { what, action: 'refused', why, path });
  }

  get decisions(): Decision[] {
    return [...this.list];
  }

  /** Throws once with every refusal, so an operator sees the whole list in one error. */
  throwIfRefused(containerId: string): void {
    if (this.list.some((d) => d.action === 'refused')) throw new HardeningRefusedError(containerId, this.list, this.privilegedRefused);
  }
}
