import { sql } from 'kysely';
import type { OsFamily } from '@swiftcloud/contracts';
import type { Db } from '../../db/database.js';
import type { Clock } from '../../platform/clock.js';
import { insertPool } from '../ip-pools/ip-pools.repo.js';
import { poolLayout } from '../ip-pools/pool-layout.js';

/** What a fresh install starts with, so that a VM can be created right after the first start. */
export const SEED_TEMPLATES: {
  slug: string;
  name: string;
  osFamily: OsFamily;
  minDiskGiB: number;
}[] = [
  { slug: 'ubuntu-24.04', name: 'Ubuntu 24.04 LTS', osFamily: 'ubuntu', minDiskGiB: 10 },
  { slug: 'ubuntu-22.04', name: 'Ubuntu 22.04 LTS', osFamily: 'ubuntu', minDiskGiB: 10 },
  { slug: 'debian-12', name: 'Debian 12 (bookworm)', osFamily: 'debian', minDiskGiB: 10 },
  { slug: 'rocky-9', name: 'Rocky Linux 9', osFamily: 'rocky', minDiskGiB: 10 },
];

/**
 * Sizes priced so that the hourly price times 672 hours (28 days) reaches the monthly cap:
 * small K150 a month is K0.2232 an hour.
 */
export const SEED_SIZES = [
  { slug: 'small', vcpus: 1, memoryMiB: 1_024, diskGiB: 25, hourly: 22_320_000, cap: 15_000 },
  { slug: 'medium', vcpus: 2, memoryMiB: 4_096, diskGiB: 80, hourly: 66_970_000, cap: 45_000 },
  { slug: 'large', vcpus: 4, memoryMiB: 8_192, diskGiB: 160, hourly: 133_930_000, cap: 90_000 },
  {
    slug: 'xlarge',
    vcpus: 8,
    memoryMiB: 16_384,
    diskGiB: 320,
    hourly: 267_860_000,
    cap: 180_000,
  },
];

export const SEED_NODE = {
  name: 'sim-1',
  // Generous, since the simulator's VMs take no real resources (room for the 1,000-VM benchmark).
  cpus: 512,
  memoryMiB: 2_097_152,
  diskGiB: 65_536,
};

/** Documentation and private ranges: only data, nothing is ever sent to these addresses. */
export const SEED_POOLS = [
  { name: 'public-1', cidr: '198.51.100.0/24', gateway: '198.51.100.1', public: true },
  { name: 'private-1', cidr: '10.20.0.0/20', gateway: '10.20.0.1', public: false },
];

/**
 * A coupon so that a newcomer can top up a project and make a VM right after the first
 * start (money is prepaid). Bounded so that a forgotten one costs little: new projects
 * only, K100 each, 100 redemptions, 30 days. Operators deactivate it in production.
 */
export const TRIAL_COUPON = {
  code: 'TRY-SWIFTCLOUD',
  amountNgwee: 10_000,
  maxRedemptions: 100,
  validDays: 30,
};

export type SeedOutcome = 'seeded' | 'skipped';

/**
 * Seeds a fresh install: the catalog (templates, sizes), the simulator node `sim-1` with a
 * source for every template, a public and a private IP pool serving it, and the trial
 * coupon. Runs only when
 * there are no templates, sizes, nodes or IP pools at all, so it never undoes what an
 * administrator changed; under a lock in one transaction, so instances starting together
 * seed once.
 */
export async function seedFreshInstall(db: Db, clock: Clock): Promise<SeedOutcome> {
  return db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtext('swiftcloud.seed'))`.execute(tx);
    const existing = await sql<{ n: number }>`
      select (select count(*) from templates) + (select count(*) from sizes)
           + (select count(*) from nodes) + (select count(*) from ip_pools) as n`.execute(tx);
    if (Number(existing.rows[0]?.n ?? 0) > 0) return 'skipped';
    const now = clock.now();
    const { id: nodeId } = await tx
      .insertInto('nodes')
      .values({
        name: SEED_NODE.name,
        driver: 'simulator',
        cpus: SEED_NODE.cpus,
        memory_mib: SEED_NODE.memoryMiB,
        disk_gib: SEED_NODE.diskGiB,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const t of SEED_TEMPLATES) {
      const { id } = await tx
        .insertInto('templates')
        .values({
          slug: t.slug,
          name: t.name,
          os_family: t.osFamily,
          min_disk_gib: t.minDiskGiB,
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('template_sources')
        .values({ template_id: id, node_id: nodeId, source: `${t.slug}-cloud` })
        .execute();
    }
    await tx
      .insertInto('sizes')
      .values(
        SEED_SIZES.map((s) => ({
          slug: s.slug,
          vcpus: s.vcpus,
          memory_mib: s.memoryMiB,
          disk_gib: s.diskGiB,
          hourly_price_micro_ngwee: s.hourly,
          monthly_cap_ngwee: s.cap,
          created_at: now,
          updated_at: now,
        })),
      )
      .execute();
    for (const p of SEED_POOLS) {
      await insertPool(
        tx,
        {
          name: p.name,
          layout: poolLayout({ cidr: p.cidr, gateway: p.gateway }),
          public: p.public,
          nodeIds: [nodeId],
        },
        now,
      );
    }
    await tx
      .insertInto('coupons')
      .values({
        code: TRIAL_COUPON.code,
        amount_ngwee: TRIAL_COUPON.amountNgwee,
        max_redemptions: TRIAL_COUPON.maxRedemptions,
        valid_from: now,
        valid_until: new Date(now.getTime() + TRIAL_COUPON.validDays * 86_400_000),
        new_projects_only: true,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return 'seeded';
  });
}
