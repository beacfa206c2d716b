import type { Domain, DomainStatus, Pagination } from '@swiftcloud/contracts';
import type { Principal } from '../auth/principal.js';
import type { AuditLog } from '../platform/audit.js';
import { apiTime, type Clock } from '../platform/clock.js';
import { Conflict, NotFound, ValidationFailed } from '../platform/errors.js';
import type { ProjectAccess, ProjectsService } from '../projects/projects.service.js';
import { DomainNameError, normaliseDomainName } from './domain-name.js';
import type { DomainRow, DomainsRepo, Tx } from './domains.repo.js';
import { recheckDelay } from './verification/nameserver-check.js';
import type { ZoneChanges } from './zone.js';
import { renderZoneFile } from './zone-file.js';
import type { PlatformDns, ZonesRepo } from './zones.repo.js';

/**
 * Asks the parent zone whom a domain is delegated to, and compares with `expected`
 * (NameserverVerifier in dns/verification is the implementation). Throws an AppError,
 * such as RESOURCE_UNAVAILABLE, when the parent cannot be asked.
 */
export interface NameserverCheck {
  check(
    domain: string,
    expected: string[],
  ): Promise<{ status: 'active' | 'pending' | 'failed'; delegatedNameservers: string[] }>;
}

/** An active domain that is no longer delegated at all moved away: failed, not pending again. */
export function statusAfterCheck(previous: DomainStatus, found: DomainStatus): DomainStatus {
  return previous === 'active' && found === 'pending' ? 'failed' : found;
}

/** Domains of projects: claims of names, their nameserver verification and zone export. */
export class DomainsService {
  constructor(
    private readonly domains: DomainsRepo,
    private readonly zones: ZonesRepo,
    private readonly projects: ProjectsService,
    private readonly nameservers: NameserverCheck,
    private readonly changes: ZoneChanges,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly platform: PlatformDns,
  ) {}

  private view(row: DomainRow): Domain {
    return {
      id: row.id,
      projectId: row.project_id,
      name: row.name,
      status: row.status,
      nameservers: this.platform.nameservers,
      delegatedNameservers: row.delegated_nameservers,
      lastCheckedAt: apiTime(row.last_checked_at),
      createdAt: apiTime(row.created_at),
    };
  }

  /**
   * The domain, when the caller's role in its project allows `need`. A domain of a project
   * the caller cannot see is NOT_FOUND, as if it did not exist.
   */
  async access(principal: Principal, domainId: string, need: ProjectAccess): Promise<DomainRow> {
    const row = await this.domains.find(domainId);
    if (!row) throw new NotFound('Domain');
    await this.projects.authorizeFor(principal, row.project_id, need, 'Domain');
    return row;
  }

  async list(
    principal: Principal,
    projectId: string,
    page: Pagination,
  ): Promise<{ data: Domain[]; total: number }> {
    await this.projects.authorize(principal, projectId, 'read');
    const { rows, total } = await this.domains.list(projectId, page);
    return { data: rows.map((r) => this.view(r)), total };
  }

  async get(principal: Principal, domainId: string): Promise<Domain> {
    return this.view(await this.access(principal, domainId, 'read'));
  }

  /**
   * Adds a pending claim of a registrable name to a project; it is served at once (when no
   * other claim of the name came first). A name active in another project is a CONFLICT.
   */
  async create(principal: Principal, input: { project_id: string; name: string }): Promise<Domain> {
    await this.projects.authorize(principal, input.project_id, 'write');
    const name = this.registrableName(input.name);
    const now = this.clock.now();
    const id = await this.domains.create({
      projectId: input.project_id,
      name,
      now,
      nextCheckAt: new Date(now.getTime() + recheckDelay(1, 'pending')),
      onCreated: async (tx, domainId) => {
        await this.record(tx, principal, 'domain.create', domainId, input.project_id, { name });
        await this.changes.changed(name, tx);
      },
    });
    return this.get(principal, id);
  }

  /** Removes the claim and its records; another claim of the name may be served instead. */
  async delete(principal: Principal, domainId: string): Promise<void> {
    const row = await this.access(principal, domainId, 'write');
    const deleted = await this.domains.delete(
      domainId,
      async (tx) => {
        await this.record(tx, principal, 'domain.delete', domainId, row.project_id, {
          name: row.name,
        });
        await this.changes.changed(row.name, tx);
      },
      this.clock.now(),
    );
    if (!deleted) throw new NotFound('Domain');
  }

  /**
   * Checks the delegation now and stores what was found. Becoming active makes the other
   * projects' claims of the name failed; a name active in another project is a CONFLICT.
   */
  async verify(principal: Principal, domainId: string): Promise<Domain> {
    const row = await this.access(principal, domainId, 'write');
    const active = await this.domains.findActive(row.name);
    if (active && active.id !== row.id) throw activeElsewhere(row.name);
    // The network call runs before, never inside, the transaction that stores its outcome.
    const found = await this.nameservers.check(row.name, this.platform.nameservers);
    const now = this.clock.now();
    const status = statusAfterCheck(row.status, found.status);
    const checkAttempts = status === row.status ? row.check_attempts + 1 : 1;
    const stored = await this.domains.storeCheck(
      domainId,
      {
        status,
        delegatedNameservers: found.delegatedNameservers,
        checkedAt: now,
        checkAttempts,
        nextCheckAt: new Date(now.getTime() + recheckDelay(checkAttempts, status)),
      },
      {
        activeElsewhere: 'conflict',
        onStored: async (tx, before, after) => {
          await this.record(tx, principal, 'domain.verify', domainId, row.project_id, {
            from: before.status,
            to: after.status,
            delegatedNameservers: after.delegated_nameservers,
          });
          if (before.status !== after.status) await this.changes.changed(row.name, tx);
        },
      },
    );
    if (!stored) throw new NotFound('Domain');
    return this.view(stored);
  }

  /** The domain's zone as an RFC 1035 zone file, exactly as the DNS server serves it. */
  async zoneFile(principal: Principal, domainId: string): Promise<string> {
    await this.access(principal, domainId, 'read');
    const zone = await this.zones.forDomain(domainId);
    if (!zone) throw new NotFound('Domain');
    return renderZoneFile(zone);
  }

  private registrableName(input: string): string {
    let name: string;
    try {
      name = normaliseDomainName(input);
    } catch (err) {
      if (err instanceof DomainNameError) throw ValidationFailed.field('name', err.message);
      throw err;
    }
    const platformHosts = [...this.platform.nameservers, this.platform.hostmaster];
    if (platformHosts.some((host) => host === name || host.endsWith(`.${name}`))) {
      throw ValidationFailed.field(
        'name',
        `${name} holds SwiftCloud's own nameservers and cannot be added as a customer domain`,
      );
    }
    return name;
  }

  private record(
    tx: Tx,
    principal: Principal,
    action: string,
    domainId: string,
    projectId: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record(
      {
        actorUserId: principal.user.id,
        action,
        targetType: 'domain',
        targetId: domainId,
        projectId,
        details,
        at: this.clock.now(),
      },
      tx,
    );
  }
}

function activeElsewhere(name: string): Conflict {
  return new Conflict(
    `${name} is already active in another project; it can be verified here only after it is removed there`,
    [{ field: 'name', message: 'Active in another project' }],
  );
}
