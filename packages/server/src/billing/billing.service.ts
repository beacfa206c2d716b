import type {
  Balance,
  BillingEvent,
  Pagination,
  Payment,
  Prices,
  TopupBody,
  UsageDay,
  UsageQuery,
} from '@swiftcloud/contracts';
import type { Principal } from '../auth/principal.js';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import type { AuditLog } from '../platform/audit.js';
import type { Clock } from '../platform/clock.js';
import { Conflict, Forbidden, ValidationFailed } from '../platform/errors.js';
import type { ProjectsService } from '../projects/projects.service.js';
import type { BillingRepo } from './billing.repo.js';
import { burnRateOf } from './burn-rate.js';
import { formatMicroNgwee } from './money.js';
import type { CouponsRepo, Redemption } from './coupons.repo.js';
import type { BillingPolicy } from './policy.js';
import type { TopupThrottle } from './topup-throttle.js';
import { balanceView, eventView, paymentView, usageView } from './views.js';

const DAY_MS = 86_400_000;
/** The longest usage report, in days. */
const MAX_USAGE_DAYS = 366;

/** Why a coupon did not credit the project, as the customer is told. */
function refusal(r: Exclude<Redemption, { outcome: 'redeemed' }>): Error {
  const code = r.coupon?.code ?? '';
  switch (r.outcome) {
    case 'unknown':
      return ValidationFailed.field('coupon_code', 'No coupon has this code');
    case 'inactive':
      return ValidationFailed.field('coupon_code', `Coupon ${code} is no longer active`);
    case 'not_yet_valid':
      return ValidationFailed.field('coupon_code', `Coupon ${code} is not valid yet`);
    case 'expired':
      return ValidationFailed.field('coupon_code', `Coupon ${code} has expired`);
    case 'exhausted':
      return new Conflict(`Coupon ${code} has been redeemed as many times as it allows`);
    case 'already_used':
      return new Conflict(`This project has already redeemed coupon ${code}`);
    case 'not_new':
      return new Conflict(
        `Coupon ${code} is only for new projects, and this project has paid before`,
      );
  }
}

/** A project's billing as its members see it, and coupon top-ups. */
export class BillingService {
  constructor(
    private readonly db: Db,
    private readonly repo: BillingRepo,
    private readonly coupons: CouponsRepo,
    private readonly projects: ProjectsService,
    private readonly policy: BillingPolicy,
    private readonly throttle: TopupThrottle,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly settings: Config['billing'],
  ) {}

  /** Every member sees the balance. */
  async balance(principal: Principal, projectId: string): Promise<Balance> {
    await this.projects.authorize(principal, projectId, 'read');
    return this.balanceOf(projectId);
  }

  /** Payments, usage and events: owners and members; viewers see only the balance. */
  private async authorizeDetails(principal: Principal, projectId: string): Promise<void> {
    const role = await this.projects.authorize(principal, projectId, 'read');
    if (role === 'viewer') {
      throw new Forbidden("Viewers see only a project's balance; ask an owner for the member role");
    }
  }

  async payments(
    principal: Principal,
    projectId: string,
    page: Pagination,
  ): Promise<{ data: Payment[]; total: number }> {
    await this.authorizeDetails(principal, projectId);
    const { rows, total } = await this.repo.payments(projectId, page);
    return { data: rows.map(paymentView), total };
  }

  async usage(principal: Principal, q: UsageQuery): Promise<{ data: UsageDay[]; total: number }> {
    await this.authorizeDetails(principal, q.project_id);
    const today = this.clock.now().toISOString().slice(0, 10);
    const from = new Date(`${q.from ?? `${today.slice(0, 8)}01`}T00:00:00Z`);
    const to = new Date(new Date(`${q.to ?? today}T00:00:00Z`).getTime() + DAY_MS);
    if (from >= to) throw ValidationFailed.field('from', 'from must not be after to');
    if (to.getTime() - from.getTime() > MAX_USAGE_DAYS * DAY_MS) {
      throw ValidationFailed.field('to', `A usage report covers at most ${MAX_USAGE_DAYS} days`);
    }
    const { rows, total } = await this.repo.usage(q.project_id, from, to, q);
    return { data: rows.map(usageView), total };
  }

  async events(
    principal: Principal,
    projectId: string,
    page: Pagination,
  ): Promise<{ data: BillingEvent[]; total: number }> {
    await this.authorizeDetails(principal, projectId);
    const { rows, total } = await this.repo.events(projectId, page);
    return { data: rows.map(eventView), total };
  }

  /** Redeems a coupon: owners only, a limited number of attempts per user and project. */
  async topup(
    principal: Principal,
    body: TopupBody,
  ): Promise<{ payment: Payment; balance: Balance }> {
    await this.projects.authorize(principal, body.project_id, 'manage');
    await this.throttle.take(principal.user.id, body.project_id);
    const now = this.clock.now();
    const r = await this.coupons.redeem({
      code: body.coupon_code,
      projectId: body.project_id,
      userId: principal.user.id,
      now,
    });
    if (r.outcome !== 'redeemed') throw refusal(r);
    await this.audit.record({
      actorUserId: principal.user.id,
      action: 'billing.topup',
      targetType: 'payment',
      targetId: r.payment.id,
      projectId: body.project_id,
      details: {
        method: 'coupon',
        reference: r.payment.reference,
        amountNgwee: r.payment.amount_ngwee,
      },
      at: now,
    });
    // A top-up may end a grace period or a suspension, and re-arms low-balance warnings.
    await this.policy.enforceFor(body.project_id);
    return { payment: paymentView(r.payment), balance: await this.balanceOf(body.project_id) };
  }

  /** Prices besides the catalog's sizes, for anyone about to make a VM. */
  prices(): Prices {
    return {
      publicIpv4HourlyPrice: formatMicroNgwee(this.settings.publicIpHourlyPriceMicroNgwee),
      currency: 'ZMW',
    };
  }

  private async balanceOf(projectId: string): Promise<Balance> {
    const [balance, burn] = await Promise.all([
      this.repo.balanceOf(projectId),
      burnRateOf(this.db, projectId, this.settings.publicIpHourlyPriceMicroNgwee),
    ]);
    return balanceView(balance, burn);
  }
}
