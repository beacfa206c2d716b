import type { AdminUser, Pagination } from '@swiftcloud/contracts';
import type { Principal } from '../auth/principal.js';
import type { SessionsService } from '../auth/sessions.service.js';
import type { UserRow, UsersRepo } from '../auth/users.repo.js';
import type { AuditLog } from '../platform/audit.js';
import { apiTime, type Clock } from '../platform/clock.js';
import { Conflict, NotFound } from '../platform/errors.js';

function adminUserView(u: UserRow): AdminUser {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    isAdmin: u.is_admin,
    createdAt: apiTime(u.created_at),
    disabledAt: apiTime(u.disabled_at),
  };
}

/** What platform administrators do to accounts. */
export class AdminUsersService {
  constructor(
    private readonly users: UsersRepo,
    private readonly sessions: SessionsService,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async list(
    filter: { email?: string | undefined },
    page: Pagination,
  ): Promise<{ data: AdminUser[]; total: number }> {
    const { rows, total } = await this.users.list({ emailContains: filter.email }, page);
    return { data: rows.map(adminUserView), total };
  }

  /**
   * Disables an account: its sessions end and its API keys stop working at once (every
   * request checks the owner), and it cannot sign in until enabled again.
   */
  async disable(actor: Principal, userId: string): Promise<AdminUser> {
    if (userId === actor.user.id) throw new Conflict('You cannot disable your own account');
    const now = this.clock.now();
    const existing = await this.users.findById(userId);
    if (!existing) throw new NotFound('User');
    const row = existing.disabled_at
      ? existing
      : await this.users.update(userId, { disabledAt: now, now });
    await this.sessions.endAllFor(userId);
    await this.audit.record({
      actorUserId: actor.user.id,
      action: 'user.disable',
      targetType: 'user',
      targetId: userId,
      at: now,
    });
    return adminUserView(row ?? existing);
  }

  async enable(actor: Principal, userId: string): Promise<AdminUser> {
    const now = this.clock.now();
    const row = await this.users.update(userId, { disabledAt: null, now });
    if (!row) throw new NotFound('User');
    await this.audit.record({
      actorUserId: actor.user.id,
      action: 'user.enable',
      targetType: 'user',
      targetId: userId,
      at: now,
    });
    return adminUserView(row);
  }
}
