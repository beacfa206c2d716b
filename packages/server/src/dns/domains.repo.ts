import { sql, type Transaction } from 'kysely';
import type { DomainStatus, Pagination } from '@swiftcloud/contracts';
import type { Db } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { paginate } from '../db/paginate.js';
import type { Database } from '../db/schema.js';
import { Conflict } from '../platform/errors.js';

export interface DomainRow {
  id: string;
  project_id: string;
  name: string;
  status: DomainStatus;
  delegated_nameservers: string[];
  last_checked_at: Date | null;
  next_check_at: Date | null;
  check_attempts: number;
  serial: number;
  created_at: Date;
}

export type Tx = Transaction<Database>;

/** The outcome of a nameserver check, as stored on the domain. */
export interface CheckRecord {
  status: DomainStatus;
  delegatedNameservers: string[];
  checkedAt: Date;
  /** Checks in a row that found this status (1 for the first). */
  checkAttempts: number;
  nextCheckAt: Date;
}

const COLUMNS = [
  'id',
  'project_id',
  'name',
  'status',
  'delegated_nameservers',
  'last_checked_at',
  'next_check_at',
  'check_attempts',
  'serial',
  'created_at',
] as const;

const epochSeconds = (d: Date) => Math.floor(d.getTime() / 1000);

/**
 * Raises the SOA serial of a domain: past every serial any claim of the same name has had
 * (so a secondary never sees a served zone's serial fall when another claim takes over),
 * and at least the current Unix time (so a name deleted and added again starts higher).
 */
export async function raiseSerial(tx: Tx, domainId: string, now: Date): Promise<void> {
  await tx
    .updateTable('domains as d')
    .set({
      serial: sql<number>`greatest(${epochSeconds(now)}::bigint, (
        select max(o.serial) + 1 from domains o where o.name = d.name
      ))`,
      updated_at: now,
    })
    .where('d.id', '=', domainId)
    .execute();
}

/** Locks the domain's row for a change of its zone; undefined when it is gone. */
export function lockDomain(tx: Tx, domainId: string): Promise<DomainRow | undefined> {
  return tx
    .selectFrom('domains')
    .select(COLUMNS)
    .where('id', '=', domainId)
    .forUpdate()
    .executeTakeFirst();
}

export class DomainsRepo {
  constructor(private readonly db: Db) {}

  list(projectId: string, page: Pagination): Promise<{ rows: DomainRow[]; total: number }> {
    return paginate(
      this.db
        .selectFrom('domains')
        .select(COLUMNS)
        .where('project_id', '=', projectId)
        .orderBy('name')
        .orderBy('id'),
      page,
    );
  }

  find(id: string): Promise<DomainRow | undefined> {
    return this.db.selectFrom('domains').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  }

  /** The active claim of `name`, if any. */
  findActive(name: string): Promise<DomainRow | undefined> {
    return this.db
      .selectFrom('domains')
      .select(COLUMNS)
      .where('name', '=', name)
      .where('status', '=', 'active')
      .executeTakeFirst();
  }

  /** Claims (pending or active) whose next nameserver check is due, the longest waiting first. */
  dueForCheck(now: Date, limit: number): Promise<DomainRow[]> {
    return this.db
      .selectFrom('domains')
      .select(COLUMNS)
      .where('status', 'in', ['pending', 'active'])
      .where('next_check_at', '<=', now)
      .orderBy('next_check_at')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /**
   * Adds a pending claim of `name` for a project. The same name twice in one project, or
   * a name active in another project, is a CONFLICT.
   */
  async create(p: {
    projectId: string;
    name: string;
    now: Date;
    nextCheckAt: Date;
    onCreated: (tx: Tx, id: string) => Promise<void>;
  }): Promise<string> {
    try {
      return await this.db.transaction().execute(async (tx) => {
        const active = await tx
          .selectFrom('domains')
          .select('project_id')
          .where('name', '=', p.name)
          .where('status', '=', 'active')
          .executeTakeFirst();
        if (active && active.project_id !== p.projectId) throw activeElsewhere(p.name);
        const { id } = await tx
          .insertInto('domains')
          .values({
            project_id: p.projectId,
            name: p.name,
            status: 'pending',
            serial: epochSeconds(p.now),
            next_check_at: p.nextCheckAt,
            created_at: p.now,
            updated_at: p.now,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await raiseSerial(tx, id, p.now);
        await p.onCreated(tx, id);
        return id;
      });
    } catch (err) {
      if (isUniqueViolation(err, 'domains_project_id_name_key')) {
        throw new Conflict(`${p.name} is already a domain of this project`, [
          { field: 'name', message: 'Already added to this project' },
        ]);
      }
      throw err;
    }
  }

  async delete(id: string, onDeleted: (tx: Tx) => Promise<void>, now: Date): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const gone = await tx
        .deleteFrom('domains')
        .where('id', '=', id)
        .returning(['name', 'serial'])
        .executeTakeFirst();
      if (!gone) return false;
      // Another claim of the name may be served now: it must start above the old serial.
      const next = await tx
        .selectFrom('domains')
        .select('id')
        .where('name', '=', gone.name)
        .where('status', '!=', 'failed')
        .orderBy(sql`status = 'active'`, 'desc')
        .orderBy('created_at')
        .orderBy('id')
        .executeTakeFirst();
      if (next) {
        await tx
          .updateTable('domains')
          .set({ serial: sql<number>`greatest(serial, ${gone.serial}::bigint)` })
          .where('id', '=', next.id)
          .execute();
        await raiseSerial(tx, next.id, now);
      }
      await onDeleted(tx);
      return true;
    });
  }

  /**
   * Stores a check's outcome. When it makes the claim active, the other claims of the name
   * become failed, in the same transaction; a name already active in another claim is a
   * CONFLICT (also held by the partial unique index when two verify at once).
   */
  async storeCheck(
    id: string,
    check: CheckRecord,
    opts: {
      /** When the name is active in another claim: refuse (CONFLICT), or store `failed`. */
      activeElsewhere: 'conflict' | 'fail';
      onStored: (tx: Tx, before: DomainRow, after: DomainRow) => Promise<void>;
    },
  ): Promise<DomainRow | undefined> {
    try {
      return await this.db.transaction().execute(async (tx) => {
        const row = await lockDomain(tx, id);
        if (!row) return undefined;
        let status = check.status;
        if (status === 'active') {
          const other = await tx
            .selectFrom('domains')
            .select('id')
            .where('name', '=', row.name)
            .where('status', '=', 'active')
            .where('id', '!=', id)
            .executeTakeFirst();
          if (other && opts.activeElsewhere === 'conflict') throw activeElsewhere(row.name);
          if (other) status = 'failed';
        }
        const becameActive = status === 'active' && row.status !== 'active';
        await tx
          .updateTable('domains')
          .set({
            status,
            delegated_nameservers: check.delegatedNameservers,
            last_checked_at: check.checkedAt,
            next_check_at: check.nextCheckAt,
            check_attempts: check.checkAttempts,
            ...(becameActive ? { verified_at: check.checkedAt } : {}),
            updated_at: check.checkedAt,
          })
          .where('id', '=', id)
          .execute();
        if (becameActive) {
          await tx
            .updateTable('domains')
            .set({ status: 'failed', next_check_at: null, updated_at: check.checkedAt })
            .where('name', '=', row.name)
            .where('id', '!=', id)
            .execute();
        }
        // Which claim is served, or whether the name is, may have changed.
        if (status !== row.status) await raiseSerial(tx, id, check.checkedAt);
        const stored = (await lockDomain(tx, id))!;
        await opts.onStored(tx, row, stored);
        return stored;
      });
    } catch (err) {
      if (isUniqueViolation(err, 'domains_active_name_key')) throw activeElsewhere('This name');
      throw err;
    }
  }

  /** After a check that could not reach the parent: only when to try again. */
  async postponeCheck(id: string, checkAttempts: number, nextCheckAt: Date): Promise<void> {
    await this.db
      .updateTable('domains')
      .set({ check_attempts: checkAttempts, next_check_at: nextCheckAt })
      .where('id', '=', id)
      .execute();
  }
}

function activeElsewhere(name: string): Conflict {
  return new Conflict(
    `${name} is active in another project; it can be added here only after it is removed there`,
    [{ field: 'name', message: 'Active in another project' }],
  );
}
