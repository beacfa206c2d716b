import type {
  CreateRecordBody,
  DnsRecord,
  Pagination,
  UpdateRecordBody,
} from '@swiftcloud/contracts';
import type { Principal } from '../auth/principal.js';
import type { AuditLog } from '../platform/audit.js';
import { apiTime, type Clock } from '../platform/clock.js';
import { NotFound } from '../platform/errors.js';
import type { DomainRow, Tx } from './domains.repo.js';
import type { DomainsService } from './domains.service.js';
import type { RecordRow, RecordsRepo } from './records.repo.js';
import { checkZoneSize, placeInZone, validateRecord } from './records.validation.js';
import type { ZoneChanges } from './zone.js';

function recordView(row: RecordRow): DnsRecord {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    content: row.content,
    ttl: row.ttl,
    priority: row.priority,
    createdAt: apiTime(row.created_at),
  };
}

const needsPriority = (type: string) => type === 'MX' || type === 'SRV';

/**
 * The customer's records of a domain. Every change is checked against the rules of
 * records.validation, runs in one transaction holding the domain's lock, raises the SOA
 * serial in it, and is announced to the DNS servers in that transaction (heard once it commits).
 */
export class RecordsService {
  constructor(
    private readonly records: RecordsRepo,
    private readonly domains: DomainsService,
    private readonly changes: ZoneChanges,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async list(
    principal: Principal,
    domainId: string,
    page: Pagination,
  ): Promise<{ data: DnsRecord[]; total: number }> {
    await this.domains.access(principal, domainId, 'read');
    const { rows, total } = await this.records.list(domainId, page);
    return { data: rows.map(recordView), total };
  }

  async create(
    principal: Principal,
    domainId: string,
    input: CreateRecordBody,
  ): Promise<DnsRecord> {
    const domain = await this.domains.access(principal, domainId, 'write');
    const valid = validateRecord(input, domain.name);
    const id = await this.records.changeZone(domainId, this.clock.now(), async (zone, tx) => {
      checkZoneSize(await zone.count(), domain.name);
      const ttl = placeInZone(valid, domain.name, await zone.atName(valid.name));
      const id = await zone.insert({ ...valid, ttl });
      await this.record(tx, principal, domain, 'dns_record.create', id, { ...valid, ttl });
      await this.changes.changed(domain.name, tx);
      return id;
    });
    return this.load(domainId, id);
  }

  /**
   * Changes some fields of a record. A `ttl` sent applies to the whole RRset (every record
   * of the same name and type), since DNS allows one TTL per RRset; without one the record
   * keeps its TTL, which must then match the RRset it joins.
   */
  async update(
    principal: Principal,
    domainId: string,
    recordId: string,
    input: UpdateRecordBody,
  ): Promise<DnsRecord> {
    const domain = await this.domains.access(principal, domainId, 'write');
    await this.records.changeZone(domainId, this.clock.now(), async (zone, tx) => {
      const current = await zone.find(recordId);
      if (!current) throw new NotFound('Record');
      const type = input.type ?? current.type;
      const valid = validateRecord(
        {
          name: input.name ?? current.name,
          type,
          content: input.content ?? current.content,
          ttl: input.ttl ?? current.ttl,
          // A type that takes no priority drops the old one unless one is sent.
          priority:
            input.priority !== undefined
              ? input.priority
              : needsPriority(type)
                ? current.priority
                : null,
        },
        domain.name,
      );
      const ttlSetsRRset = input.ttl !== undefined;
      const ttl = placeInZone(valid, domain.name, await zone.atName(valid.name, recordId), {
        ttlSetsRRset,
      });
      await zone.update(recordId, { ...valid, ttl });
      if (ttlSetsRRset) await zone.setRRsetTtl(valid.name, valid.type, ttl);
      await this.record(tx, principal, domain, 'dns_record.update', recordId, { ...valid, ttl });
      await this.changes.changed(domain.name, tx);
    });
    return this.load(domainId, recordId);
  }

  async delete(principal: Principal, domainId: string, recordId: string): Promise<void> {
    const domain = await this.domains.access(principal, domainId, 'write');
    await this.records.changeZone(domainId, this.clock.now(), async (zone, tx) => {
      const current = await zone.find(recordId);
      if (!current || !(await zone.delete(recordId))) throw new NotFound('Record');
      await this.record(tx, principal, domain, 'dns_record.delete', recordId, {
        name: current.name,
        type: current.type,
        content: current.content,
      });
      await this.changes.changed(domain.name, tx);
    });
  }

  private async load(domainId: string, recordId: string): Promise<DnsRecord> {
    const row = await this.records.find(domainId, recordId);
    if (!row) throw new NotFound('Record');
    return recordView(row);
  }

  private record(
    tx: Tx,
    principal: Principal,
    domain: DomainRow,
    action: string,
    recordId: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record(
      {
        actorUserId: principal.user.id,
        action,
        targetType: 'dns_record',
        targetId: recordId,
        projectId: domain.project_id,
        details: { domain: domain.name, ...details },
        at: this.clock.now(),
      },
      tx,
    );
  }
}
