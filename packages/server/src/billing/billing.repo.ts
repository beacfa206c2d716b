import { sql } from 'kysely';
import type { Pagination } from '@swiftcloud/contracts';
import type { Db } from '../db/database.js';
import { paginate } from '../db/paginate.js';
import type { PaymentMethod, PaymentStatus } from '../db/schema.js';

export interface PaymentRow {
  id: string;
  amount_ngwee: number;
  method: PaymentMethod;
  reference: string;
  status: PaymentStatus;
  created_at: Date;
}

export interface UsageDayRow {
  date: string;
  resource_type: 'vm' | 'public_ip';
  vm_id: string;
  name: string;
  hours: number;
  amount: string;
}

/** What billing reads back for customers: balances, payments, usage and events. */
export class BillingRepo {
  constructor(private readonly db: Db) {}

  async balanceOf(projectId: string): Promise<number> {
    const row = await this.db
      .selectFrom('projects')
      .select('balance_ngwee')
      .where('id', '=', projectId)
      .executeTakeFirstOrThrow();
    return row.balance_ngwee;
  }

  payments(projectId: string, page: Pagination) {
    return paginate(
      this.db
        .selectFrom('payments')
        .select(['id', 'amount_ngwee', 'method', 'reference', 'status', 'created_at'])
        .where('project_id', '=', projectId)
        .orderBy('seq', 'desc'),
      page,
    );
  }

  /** Charges summed per UTC day and resource, in [from, to). */
  usage(projectId: string, from: Date, to: Date, page: Pagination) {
    const date = sql<string>`to_char(uc.hour at time zone 'UTC', 'YYYY-MM-DD')`;
    return paginate(
      this.db
        .selectFrom('usage_charges as uc')
        .innerJoin('vms as v', 'v.id', 'uc.vm_id')
        .where('uc.project_id', '=', projectId)
        .where('uc.hour', '>=', from)
        .where('uc.hour', '<', to)
        .groupBy([date, 'uc.resource_type', 'uc.vm_id', 'v.name'])
        .select([
          date.as('date'),
          'uc.resource_type',
          'uc.vm_id',
          'v.name',
          sql<number>`count(*)::int`.as('hours'),
          sql<string>`sum(uc.amount_ngwee)::text`.as('amount'),
        ])
        .orderBy(date)
        .orderBy('v.name')
        .orderBy('uc.vm_id')
        .orderBy('uc.resource_type', 'desc'),
      page,
    ) as Promise<{ rows: UsageDayRow[]; total: number }>;
  }

  events(projectId: string, page: Pagination) {
    return paginate(
      this.db
        .selectFrom('billing_events')
        .select(['id', 'type', 'threshold_hours', 'balance_ngwee', 'hours_remaining', 'created_at'])
        .where('project_id', '=', projectId)
        .orderBy('seq', 'desc'),
      page,
    );
  }
}
