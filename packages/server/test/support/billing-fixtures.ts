import { randomUUID } from 'node:crypto';
import { ensureConfiguredAdmin } from '../../src/admin/admin-account.js';
import type { Db } from '../../src/db/database.js';
import type { ApiClient } from './client.js';
import type { TestApp } from './test-app.js';

export const HOUR = 3_600_000;
export const ADMIN = { email: 'billing-ops@example.co.zm', password: 'operator password 1' };
export const ADMIN_SETTINGS = {
  SWIFTCLOUD_ADMIN_EMAIL: ADMIN.email,
  SWIFTCLOUD_ADMIN_PASSWORD: ADMIN.password,
};

/** Signs in the configured administrator (start the app with ADMIN_SETTINGS). */
export async function signInAdmin(t: TestApp): Promise<ApiClient> {
  await ensureConfiguredAdmin(t.services.users, t.config.admin!, t.clock);
  const login = await t.api.post('/v1/auth/login', ADMIN);
  return t.api.as(login.body.data.token);
}

/** Moves the test's clock forward to `at` (which must be later than now). */
export function advanceTo(t: TestApp, at: Date): void {
  const ms = at.getTime() - t.clock.now().getTime();
  if (ms < 0) throw new Error(`cannot move the clock back to ${at.toISOString()}`);
  t.clock.advance(ms);
}

export interface Catalog {
  nodeId: string;
  templateId: string;
}

/** A node and a template that VM rows can name. */
export async function catalog(db: Db, now: Date): Promise<Catalog> {
  const node = await db
    .insertInto('nodes')
    .values({
      name: `bill-${randomUUID().slice(0, 8)}`,
      driver: 'simulator',
      cpus: 64,
      memory_mib: 262_144,
      disk_gib: 10_000,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const template = await db
    .insertInto('templates')
    .values({
      slug: `bill-${randomUUID().slice(0, 8)}`,
      name: 'Billing test image',
      os_family: 'ubuntu',
      min_disk_gib: 10,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { nodeId: node.id, templateId: template.id };
}

/** A size with an exact hourly price (micro-ngwee) and monthly cap (ngwee). */
export async function size(
  db: Db,
  now: Date,
  hourlyMicroNgwee: number,
  monthlyCapNgwee: number,
): Promise<string> {
  const row = await db
    .insertInto('sizes')
    .values({
      slug: `s-${randomUUID().slice(0, 8)}`,
      vcpus: 1,
      memory_mib: 1024,
      disk_gib: 25,
      hourly_price_micro_ngwee: hourlyMicroNgwee,
      monthly_cap_ngwee: monthlyCapNgwee,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * A VM row as compute writes it (metering reads the table directly, whatever made the row).
 */
export async function vmRow(
  db: Db,
  c: Catalog,
  v: { projectId: string; sizeId: string; createdAt: Date; publicIp?: boolean; name?: string },
): Promise<string> {
  const row = await db
    .insertInto('vms')
    .values({
      project_id: v.projectId,
      name: v.name ?? `vm-${randomUUID().slice(0, 8)}`,
      status: 'running',
      power_state: 'running',
      template_id: c.templateId,
      size_id: v.sizeId,
      vcpus: 1,
      memory_mib: 1024,
      disk_gib: 25,
      node_id: c.nodeId,
      public_ip: v.publicIp ?? false,
      ssh_key: 'ssh-ed25519 AAAA test',
      created_at: v.createdAt,
      updated_at: v.createdAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function deleteVmRow(db: Db, vmId: string, at: Date): Promise<void> {
  await db
    .updateTable('vms')
    .set({ deleted_at: at, updated_at: at })
    .where('id', '=', vmId)
    .execute();
}

/** A project of its own, owned by a fresh user, made through the services. */
export async function projectRow(db: Db, now: Date): Promise<string> {
  const user = await db
    .insertInto('users')
    .values({
      email: `p-${randomUUID()}@example.co.zm`,
      name: 'Owner',
      password_hash: 'x',
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const project = await db
    .insertInto('projects')
    .values({ name: 'Billing project', description: '', created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('project_members')
    .values({ project_id: project.id, user_id: user.id, role: 'owner', created_at: now })
    .execute();
  return project.id;
}

/** Credits a project through the ledger, as an administrator's adjustment would. */
export async function credit(t: TestApp, projectId: string, ngwee: number): Promise<void> {
  await t.services.ledger.post({
    idempotencyKey: `test-credit:${randomUUID()}`,
    kind: 'adjustment',
    projectId,
    memo: 'test credit',
    at: t.clock.now(),
    lines: [
      { account: { wallet: projectId }, amountNgwee: ngwee },
      { account: { platform: 'adjustments' }, amountNgwee: -ngwee },
    ],
  });
}

export async function balanceOf(db: Db, projectId: string): Promise<number> {
  const row = await db
    .selectFrom('projects')
    .select('balance_ngwee')
    .where('id', '=', projectId)
    .executeTakeFirstOrThrow();
  return row.balance_ngwee;
}

/** The charges of a VM (both resource types), oldest first. */
export async function chargesOf(db: Db, vmId: string) {
  return db
    .selectFrom('usage_charges')
    .selectAll()
    .where('vm_id', '=', vmId)
    .orderBy('hour')
    .orderBy('resource_type')
    .execute();
}
