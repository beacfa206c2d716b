import type { CustomerRecordType, Pagination } from '@swiftcloud/contracts';
import type { Db } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { paginate } from '../db/paginate.js';
import { Conflict, NotFound } from '../platform/errors.js';
import { lockDomain, raiseSerial, type DomainRow, type Tx } from './domains.repo.js';

export interface RecordRow {
  id: string;
  domain_id: string;
  name: string;
  type: CustomerRecordType;
  content: string;
  ttl: number;
  priority: number | null;
  created_at: Date;
}

const COLUMNS = [
  'id',
  'domain_id',
  'name',
  'type',
  'content',
  'ttl',
  'priority',
  'created_at',
] as const;

export interface RecordValues {
  name: string;
  type: CustomerRecordType;
  content: string;
  ttl: number;
  priority: number | null;
}

/** One zone's records inside a transaction that holds the lock on its domain row. */
export class LockedZone {
  constructor(
    private readonly tx: Tx,
    readonly domain: DomainRow,
    private readonly now: Date,
  ) {}

  async count(): Promise<number> {
    const { n } = await this.tx
      .selectFrom('dns_records')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('domain_id', '=', this.domain.id)
      .executeTakeFirstOrThrow();
    return Number(n);
  }

  find(recordId: string): Promise<RecordRow | undefined> {
    return this.tx
      .selectFrom('dns_records')
      .select(COLUMNS)
      .where('domain_id', '=', this.domain.id)
      .where('id', '=', recordId)
      .executeTakeFirst();
  }

  /** The records at a relative name, but `except` (the record being changed). */
  atName(name: string, except?: string): Promise<RecordRow[]> {
    let q = this.tx
      .selectFrom('dns_records')
      .select(COLUMNS)
      .where('domain_id', '=', this.domain.id)
      .where('name', '=', name);
    if (except) q = q.where('id', '!=', except);
    return q.execute();
  }

  async insert(values: RecordValues): Promise<string> {
    const { id } = await this.tx
      .insertInto('dns_records')
      .values({ ...values, domain_id: this.domain.id, created_at: this.now, updated_at: this.now })
      .returning('id')
      .executeTakeFirstOrThrow();
    return id;
  }

  async update(recordId: string, values: RecordValues): Promise<void> {
    await this.tx
      .updateTable('dns_records')
      .set({ ...values, updated_at: this.now })
      .where('id', '=', recordId)
      .execute();
  }

  /** Gives every record of one name and type the same TTL. */
  async setRRsetTtl(name: string, type: CustomerRecordType, ttl: number): Promise<void> {
    await this.tx
      .updateTable('dns_records')
      .set({ ttl, updated_at: this.now })
      .where('domain_id', '=', this.domain.id)
      .where('name', '=', name)
      .where('type', '=', type)
      .where('ttl', '!=', ttl)
      .execute();
  }

  async delete(recordId: string): Promise<boolean> {
    const r = await this.tx
      .deleteFrom('dns_records')
      .where('domain_id', '=', this.domain.id)
      .where('id', '=', recordId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}

export class RecordsRepo {
  constructor(private readonly db: Db) {}

  list(domainId: string, page: Pagination): Promise<{ rows: RecordRow[]; total: number }> {
    return paginate(
      this.db
        .selectFrom('dns_records')
        .select(COLUMNS)
        .where('domain_id', '=', domainId)
        .orderBy('name')
        .orderBy('type')
        .orderBy('created_at')
        .orderBy('id'),
      page,
    );
  }

  find(domainId: string, recordId: string): Promise<RecordRow | undefined> {
    return this.db
      .selectFrom('dns_records')
      .select(COLUMNS)
      .where('domain_id', '=', domainId)
      .where('id', '=', recordId)
      .executeTakeFirst();
  }

  /**
   * Runs `change` on the zone in one transaction that holds its domain's row lock, so the
   * rules that look at other records (CNAME alone, one TTL per RRset, the zone's size) hold
   * under concurrent writes; then raises the zone's serial in the same transaction.
   */
  async changeZone<T>(
    domainId: string,
    now: Date,
    change: (zone: LockedZone, tx: Tx) => Promise<T>,
  ): Promise<T> {
    try {
      return await this.db.transaction().execute(async (tx) => {
        const domain = await lockDomain(tx, domainId);
        if (!domain) throw new NotFound('Domain');
        const result = await change(new LockedZone(tx, domain, now), tx);
        await raiseSerial(tx, domainId, now);
        return result;
      });
    } catch (err) {
      if (isUniqueViolation(err, 'dns_records_exact_key')) {
        throw new Conflict('The zone already has this record', [
          { field: 'content', message: 'An identical record exists' },
        ]);
      }
      throw err;
    }
  }
}
