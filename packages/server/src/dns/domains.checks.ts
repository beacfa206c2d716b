import type { DomainsRepo } from './domains.repo.js';
import type {
  DueDomain,
  VerificationRepo,
  VerificationResult,
} from './verification/verification.jobs.js';
import type { ZoneChanges } from './zone.js';

/**
 * The verification job's access to domains: due claims, and each check's outcome stored by
 * the same rules as POST /v1/domains/{id}/verify (becoming active fails the other claims of
 * the name). A claim found delegated while the name is active in another project becomes
 * failed, since a job has nobody to answer CONFLICT to.
 */
export class DomainChecks implements VerificationRepo {
  constructor(
    private readonly domains: DomainsRepo,
    private readonly changes: ZoneChanges,
  ) {}

  async listDue(now: Date, limit: number): Promise<DueDomain[]> {
    const rows = await this.domains.dueForCheck(now, limit);
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      status: r.status,
      checkAttempts: r.check_attempts,
    }));
  }

  async saveResult(id: string, result: VerificationResult, nextCheckAt: Date): Promise<void> {
    if (!result.reachable) {
      await this.domains.postponeCheck(id, result.checkAttempts, nextCheckAt);
      return;
    }
    await this.domains.storeCheck(
      id,
      {
        status: result.status,
        delegatedNameservers: result.delegatedNameservers,
        checkedAt: result.checkedAt,
        checkAttempts: result.checkAttempts,
        nextCheckAt,
      },
      {
        activeElsewhere: 'fail',
        onStored: async (tx, before, after) => {
          if (before.status !== after.status) await this.changes.changed(after.name, tx);
        },
      },
    );
  }
}
