import type {
  AdminSize,
  CreateSizeBody,
  Pagination,
  Size,
  UpdateSizeBody,
} from '@swiftcloud/contracts';
import type { Principal } from '../../auth/principal.js';
import {
  CURRENCY,
  formatMicroNgwee,
  formatNgwee,
  MICRO_NGWEE_PER_NGWEE,
  parseMicroNgwee,
  parseNgwee,
} from '../../billing/money.js';
import type { AuditLog } from '../../platform/audit.js';
import { apiTime, type Clock } from '../../platform/clock.js';
import { NotFound, ValidationFailed, type ErrorDetail } from '../../platform/errors.js';
import type { SizeRow, SizesRepo } from './sizes.repo.js';

function sizeView(row: SizeRow): Size {
  return {
    id: row.id,
    slug: row.slug,
    vcpus: row.vcpus,
    memoryMiB: row.memory_mib,
    diskGiB: row.disk_gib,
    hourlyPrice: formatMicroNgwee(row.hourly_price_micro_ngwee),
    monthlyCap: formatNgwee(row.monthly_cap_ngwee),
    currency: CURRENCY,
  };
}

function adminSizeView(row: SizeRow): AdminSize {
  return {
    ...sizeView(row),
    active: row.active,
    createdAt: apiTime(row.created_at),
    updatedAt: apiTime(row.updated_at),
  };
}

/**
 * The prices as integers, checked: both above zero, and the monthly cap at least one hour's
 * price. The contract has already checked their spelling.
 */
function prices(hourlyText: string, capText: string): { hourly: number; cap: number } {
  const hourly = parseMicroNgwee(hourlyText);
  const cap = parseNgwee(capText);
  const details: ErrorDetail[] = [];
  if (hourly === null || hourly <= 0)
    details.push({ field: 'hourly_price', message: 'hourly_price must be more than 0.00' });
  if (cap === null || cap <= 0)
    details.push({ field: 'monthly_cap', message: 'monthly_cap must be more than 0.00' });
  else if (hourly !== null && cap * MICRO_NGWEE_PER_NGWEE < hourly)
    details.push({
      field: 'monthly_cap',
      message: `monthly_cap must be at least one hour's price (${formatMicroNgwee(hourly)})`,
    });
  if (details.length > 0) throw new ValidationFailed(details[0]!.message, details);
  return { hourly: hourly!, cap: cap! };
}

/** What VMs are sized by, and what each size costs. */
export class SizesService {
  constructor(
    private readonly sizes: SizesRepo,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  /** What customers may choose from: active sizes only, cheapest first. */
  async listPublic(page: Pagination): Promise<{ data: Size[]; total: number }> {
    const { rows, total } = await this.sizes.list({ activeOnly: true }, page);
    return { data: rows.map(sizeView), total };
  }

  async list(page: Pagination): Promise<{ data: AdminSize[]; total: number }> {
    const { rows, total } = await this.sizes.list({ activeOnly: false }, page);
    return { data: rows.map(adminSizeView), total };
  }

  async get(id: string): Promise<AdminSize> {
    return adminSizeView(await this.load(id));
  }

  async create(actor: Principal, input: CreateSizeBody): Promise<AdminSize> {
    const { hourly, cap } = prices(input.hourly_price, input.monthly_cap);
    const row = await this.sizes.create(
      {
        slug: input.slug,
        vcpus: input.vcpus,
        memoryMiB: input.memory_mib,
        diskGiB: input.disk_gib,
        hourlyPriceMicroNgwee: hourly,
        monthlyCapNgwee: cap,
        active: input.active ?? true,
      },
      this.clock.now(),
    );
    await this.record(actor, 'size.create', row.id, input);
    return adminSizeView(row);
  }

  /** Price changes apply to what is metered from then on. */
  async update(actor: Principal, id: string, input: UpdateSizeBody): Promise<AdminSize> {
    const current = await this.load(id);
    const { hourly, cap } =
      input.hourly_price !== undefined || input.monthly_cap !== undefined
        ? prices(
            input.hourly_price ?? formatMicroNgwee(current.hourly_price_micro_ngwee),
            input.monthly_cap ?? formatNgwee(current.monthly_cap_ngwee),
          )
        : { hourly: undefined, cap: undefined };
    const row = await this.sizes.update(
      id,
      {
        vcpus: input.vcpus,
        memoryMiB: input.memory_mib,
        diskGiB: input.disk_gib,
        hourlyPriceMicroNgwee: hourly,
        monthlyCapNgwee: cap,
        active: input.active,
      },
      this.clock.now(),
    );
    if (!row) throw new NotFound('Size');
    await this.record(actor, 'size.update', id, input);
    return adminSizeView(row);
  }

  async delete(actor: Principal, id: string): Promise<void> {
    if (!(await this.sizes.delete(id))) throw new NotFound('Size');
    await this.record(actor, 'size.delete', id, {});
  }

  private async load(id: string): Promise<SizeRow> {
    const row = await this.sizes.find(id);
    if (!row) throw new NotFound('Size');
    return row;
  }

  private record(actor: Principal, action: string, id: string, details: object) {
    return this.audit.record({
      actorUserId: actor.user.id,
      action,
      targetType: 'size',
      targetId: id,
      details: { ...details },
      at: this.clock.now(),
    });
  }
}
