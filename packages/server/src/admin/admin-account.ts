import type { UsersRepo } from '../auth/users.repo.js';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import type { Clock } from '../platform/clock.js';

/**
 * Creates the first platform administrator from configuration, or brings an existing
 * account to the configured password, admin flag and enabled state. Safe on every start.
 */
export async function ensureConfiguredAdmin(
  users: UsersRepo,
  admin: { email: string; password: string },
  clock: Clock,
): Promise<'created' | 'updated' | 'unchanged'> {
  const existing = await users.findByEmail(admin.email);
  const now = clock.now();
  if (!existing) {
    await users.insert({
      email: admin.email,
      name: 'Administrator',
      passwordHash: await hashPassword(admin.password),
      isAdmin: true,
      now,
    });
    return 'created';
  }
  const passwordMatches = await verifyPassword(existing.password_hash, admin.password);
  if (passwordMatches && existing.is_admin && !existing.disabled_at) return 'unchanged';
  await users.update(existing.id, {
    ...(passwordMatches ? {} : { passwordHash: await hashPassword(admin.password) }),
    isAdmin: true,
    disabledAt: null,
    now,
  });
  return 'updated';
}
