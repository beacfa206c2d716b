import type { Clock } from '../../platform/clock.js';
import {
  recheckDelay,
  type NameserverCheckResult,
  type VerificationStatus,
} from './nameserver-check.js';

/** A domain whose nameserver check is due. */
export interface DueDomain {
  id: string;
  name: string;
  status: VerificationStatus;
  /** Checks in a row that left the status as it is; drives the backoff. */
  checkAttempts: number;
}

/** The outcome of one due check, for the repo to store. */
export type VerificationResult =
  /** The parent answered: store status, delegatedNameservers and lastCheckedAt = checkedAt. */
  | {
      reachable: true;
      status: VerificationStatus;
      delegatedNameservers: string[];
      checkedAt: Date;
      checkAttempts: number;
    }
  /** The parent could not be asked: keep status, delegatedNameservers and lastCheckedAt as they are. */
  | { reachable: false; reason: string; checkAttempts: number };

/** Where due checks come from and go to; the domains module implements it over the database. */
export interface VerificationRepo {
  /** Domains whose next check is due at `now`, the longest waiting first, at most `limit`. */
  listDue(now: Date, limit: number): Promise<DueDomain[]>;
  /** Stores a check's outcome and when to check the domain next. */
  saveResult(id: string, result: VerificationResult, nextCheckAt: Date): Promise<void>;
}

export interface VerificationLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface DueChecksDeps {
  repo: VerificationRepo;
  /** NameserverVerifier, or anything that checks like it. */
  verifier: {
    check(
      domain: string,
      expected: string[],
    ): Promise<Pick<NameserverCheckResult, 'status' | 'delegatedNameservers'>>;
  };
  clock: Clock;
  /** The platform's nameservers (config.dns.nameservers). */
  nameservers: string[];
  logger?: VerificationLogger;
  /** Domains taken per run. Default 100. */
  limit?: number;
  /** Checks run at once. Default 8. */
  concurrency?: number;
}

export interface DueChecksSummary {
  checked: number;
  /** Domains whose status changed. */
  changed: number;
  /** Domains whose parent could not be asked; their status was left alone. */
  unreachable: number;
}

/**
 * Checks every domain that is due and stores what was found, with the time of its next
 * check. An active domain whose delegation went elsewhere, or went away, becomes `failed`;
 * when the parent cannot be reached the status stays as it is and the check is retried
 * with backoff.
 */
export async function runDueChecks(deps: DueChecksDeps): Promise<DueChecksSummary> {
  const now = deps.clock.now();
  const due = await deps.repo.listDue(now, deps.limit ?? 100);
  const summary: DueChecksSummary = { checked: 0, changed: 0, unreachable: 0 };
  let next = 0;
  const worker = async () => {
    while (next < due.length) {
      const domain = due[next++]!;
      await checkOne(deps, domain, now, summary);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, deps.concurrency ?? 8) }, worker));
  return summary;
}

async function checkOne(
  deps: DueChecksDeps,
  domain: DueDomain,
  now: Date,
  summary: DueChecksSummary,
): Promise<void> {
  summary.checked++;
  let found: Pick<NameserverCheckResult, 'status' | 'delegatedNameservers'>;
  try {
    found = await deps.verifier.check(domain.name, deps.nameservers);
  } catch (err) {
    // Unreachable parents (NameserversUnreachable) and anything unexpected alike: one domain
    // must not stop the others, and nothing is known, so nothing is changed.
    summary.unreachable++;
    const checkAttempts = domain.checkAttempts + 1;
    const reason = err instanceof Error ? err.message : String(err);
    deps.logger?.warn({ domain: domain.name, err }, 'nameserver check could not be completed');
    await deps.repo.saveResult(
      domain.id,
      { reachable: false, reason, checkAttempts },
      new Date(now.getTime() + recheckDelay(checkAttempts, 'pending')),
    );
    return;
  }
  // A domain that was active and is no longer delegated at all moved away too.
  const status: VerificationStatus =
    domain.status === 'active' && found.status === 'pending' ? 'failed' : found.status;
  const checkAttempts = status === domain.status ? domain.checkAttempts + 1 : 1;
  if (status !== domain.status) {
    summary.changed++;
    deps.logger?.info(
      { domain: domain.name, from: domain.status, to: status, found: found.delegatedNameservers },
      'domain verification status changed',
    );
  }
  await deps.repo.saveResult(
    domain.id,
    {
      reachable: true,
      status,
      delegatedNameservers: found.delegatedNameservers,
      checkedAt: now,
      checkAttempts,
    },
    new Date(now.getTime() + recheckDelay(checkAttempts, status)),
  );
}

/**
 * Runs due checks every `intervalMs` until stopped (main.ts starts it; never buildApp).
 * Runs never overlap; `stop` waits for the current one.
 */
export function startDueChecks(
  deps: DueChecksDeps,
  intervalMs = 30_000,
): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = runDueChecks(deps)
      .then(
        () => undefined,
        (err: unknown) => deps.logger?.warn({ err }, 'nameserver checks failed'),
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, 0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
