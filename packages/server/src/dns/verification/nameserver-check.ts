import { Unavailable } from '../../platform/errors.js';
import {
  DelegationLookupFailed,
  type Delegation,
  type ParentServerReport,
} from './delegation-resolver.js';
import { normalizeName } from './responses.js';

export type VerificationStatus = 'active' | 'pending' | 'failed';

export interface NameserverCheckResult {
  /**
   * `active`: the parent delegates to exactly our nameservers. `pending`: not delegated at
   * all yet. `failed`: delegated elsewhere, or only partly to ours.
   */
  status: VerificationStatus;
  /** What the parent zone delegates to today (lowercase, sorted); empty when not delegated. */
  delegatedNameservers: string[];
  /** The zone whose servers were asked (`co.zm` for `example.co.zm`). */
  parentZone: string;
  /** What each server of the parent zone said, for logs and support. */
  servers: ParentServerReport[];
}

/**
 * The parent zone's servers could not be asked, so nothing is known about the delegation.
 * Thrown rather than returned as `pending`, so that no caller can turn an active domain
 * pending because a registry's servers were down; the API renders it 503.
 */
export class NameserversUnreachable extends Unavailable {
  constructor(
    readonly domain: string,
    readonly reason: string,
  ) {
    super(
      `Could not reach the servers of ${domain}'s parent zone to check its nameservers; try again later`,
    );
  }
}

/** Finds the delegation of a domain; DelegationResolver is the implementation. */
export interface DelegationFinder {
  findDelegation(domain: string): Promise<Delegation>;
}

/** Compares a domain's delegation, as its parent zone's servers state it, with our nameservers. */
export class NameserverVerifier {
  constructor(private readonly delegations: DelegationFinder) {}

  /**
   * Checks that `domain` is delegated to exactly `expected` (case, trailing dots and order
   * do not matter). Throws NameserversUnreachable when no parent server answered.
   */
  async check(domain: string, expected: string[]): Promise<NameserverCheckResult> {
    let delegation: Delegation;
    try {
      delegation = await this.delegations.findDelegation(domain);
    } catch (err) {
      if (err instanceof DelegationLookupFailed)
        throw new NameserversUnreachable(domain, err.message);
      throw err;
    }
    const { parentZone, servers, nameservers } = delegation;
    if (servers.every((s) => s.answer.kind === 'error')) {
      const reasons = servers.map(
        (s) => `${s.server}: ${(s.answer as { message: string }).message}`,
      );
      throw new NameserversUnreachable(
        domain,
        `no server of ${parentZone} answered (${reasons.join('; ')})`,
      );
    }
    const base = { delegatedNameservers: nameservers, parentZone, servers };
    if (nameservers.length === 0) return { status: 'pending', ...base };
    const ours = new Set(expected.map(normalizeName));
    const exact = nameservers.length === ours.size && nameservers.every((ns) => ours.has(ns));
    return { status: exact ? 'active' : 'failed', ...base };
  }
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** First re-check of a domain not yet active; each later one waits twice as long, up to MAX. */
export const FIRST_RECHECK_MS = MINUTE;
export const MAX_RECHECK_MS = 6 * HOUR;
export const ACTIVE_RECHECK_MS = 24 * HOUR;

/**
 * How long to wait before checking a domain again, after its `attempts`-th check in a row
 * with this status (1 for the first): active domains daily, the others with exponential
 * backoff from 1 minute to 6 hours.
 */
export function recheckDelay(attempts: number, status: VerificationStatus): number {
  if (status === 'active') return ACTIVE_RECHECK_MS;
  const doublings = Math.min(Math.max(attempts, 1) - 1, 30);
  return Math.min(FIRST_RECHECK_MS * 2 ** doublings, MAX_RECHECK_MS);
}
