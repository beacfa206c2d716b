import type { ComputeFunds } from '../compute/vms/vm-funds.js';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../platform/clock.js';
import { InsufficientFunds } from '../platform/errors.js';
import { formatMicroNgwee, formatNgwee, MICRO_NGWEE_PER_NGWEE } from './money.js';

/** Billing's answer to compute: can the project pay for what it asks? */
export class BillingFunds implements ComputeFunds {
  constructor(
    private readonly db: Db,
    private readonly settings: Config['billing'],
    private readonly clock: Clock,
  ) {}

  async assertCanAfford(
    projectId: string,
    vm: { hourlyPriceMicroNgwee: number; publicIp: boolean },
  ): Promise<void> {
    const hourly =
      vm.hourlyPriceMicroNgwee + (vm.publicIp ? this.settings.publicIpHourlyPriceMicroNgwee : 0);
    const { balance_ngwee: balance } = await this.db
      .selectFrom('projects')
      .select('balance_ngwee')
      .where('id', '=', projectId)
      .executeTakeFirstOrThrow();
    if (BigInt(balance) * BigInt(MICRO_NGWEE_PER_NGWEE) < BigInt(hourly)) {
      throw new InsufficientFunds(
        `This VM costs ${formatMicroNgwee(hourly)} ZMW an hour${vm.publicIp ? ' with its public IPv4 address' : ''} ` +
          `and the project's balance is ${formatNgwee(balance)} ZMW; top it up (POST /v1/billing/topup) to pay for at least one hour`,
      );
    }
  }

  async assertMayStart(projectId: string): Promise<void> {
    const row = await this.db
      .selectFrom('projects as p')
      .leftJoin('project_billing as pb', 'pb.project_id', 'p.id')
      .select(['p.balance_ngwee', 'pb.zero_since', 'pb.suspended_at'])
      .where('p.id', '=', projectId)
      .executeTakeFirstOrThrow();
    if (row.balance_ngwee > 0) return;
    const graceOver =
      row.zero_since !== null &&
      this.clock.now().getTime() - row.zero_since.getTime() >= this.settings.graceMs;
    if (row.suspended_at !== null || graceOver) {
      throw new InsufficientFunds(
        `The project is suspended: its balance is ${formatNgwee(row.balance_ngwee)} ZMW. ` +
          'Top it up (POST /v1/billing/topup) to start its VMs again',
      );
    }
  }
}
