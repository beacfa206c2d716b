import type { ApiKeyScope, Pagination } from '@swiftcloud/contracts';
import type { Clock } from '../platform/clock.js';
import { Conflict, Forbidden, NotFound, ValidationFailed } from '../platform/errors.js';
import type { ApiKeyRow, ApiKeysRepo } from './api-keys.repo.js';
import type { Principal } from './principal.js';
import { randomToken, tokenHash } from './tokens.js';

export const API_KEY_PREFIX = 'sc_';
const MAX_ACTIVE_KEYS = 100;
const TOUCH_EVERY_MS = 60_000;

/** Answers whether a user may see a project; the projects module provides it. */
export type ProjectMembershipCheck = (userId: string, projectId: string) => Promise<boolean>;

/** Long-lived API keys: `sc_` + 256 random bits, shown once, stored as a hash. */
export class ApiKeysService {
  constructor(
    private readonly repo: ApiKeysRepo,
    private readonly isMember: ProjectMembershipCheck,
    private readonly clock: Clock,
  ) {}

  async create(
    principal: Principal,
    input: { name: string; scope: ApiKeyScope; projectId: string | null; expiresAt: Date | null },
  ): Promise<{ row: ApiKeyRow; key: string }> {
    const owner = this.requireSession(principal);
    const now = this.clock.now();
    if (input.expiresAt && input.expiresAt.getTime() <= now.getTime()) {
      throw ValidationFailed.field('expires_at', 'expires_at must be in the future');
    }
    if (input.projectId && !(await this.isMember(owner, input.projectId))) {
      throw ValidationFailed.field('project_id', 'No project with this id is yours');
    }
    if ((await this.repo.countActive(owner)) >= MAX_ACTIVE_KEYS) {
      throw new Conflict(
        `An account holds at most ${MAX_ACTIVE_KEYS} active API keys; revoke one first`,
      );
    }
    const key = API_KEY_PREFIX + randomToken();
    const row = await this.repo.insert({
      userId: owner,
      projectId: input.projectId,
      name: input.name,
      prefix: key.slice(0, API_KEY_PREFIX.length + 8),
      keyHash: tokenHash(key),
      scope: input.scope,
      expiresAt: input.expiresAt,
      now,
    });
    return { row, key };
  }

  list(principal: Principal, page: Pagination) {
    return this.repo.listActive(this.requireSession(principal), page);
  }

  async revoke(principal: Principal, id: string): Promise<void> {
    if (!(await this.repo.revoke(this.requireSession(principal), id, this.clock.now())))
      throw new NotFound('API key');
  }

  /** The principal a key stands for, if the key is live and its owner enabled. */
  async authenticate(key: string): Promise<Principal | null> {
    const row = await this.repo.findByHash(tokenHash(key));
    if (!row || row.revoked_at || row.disabled_at) return null;
    const now = this.clock.now();
    if (row.expires_at && row.expires_at.getTime() <= now.getTime()) return null;
    if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() >= TOUCH_EVERY_MS) {
      await this.repo.touch(row.id, now);
    }
    return {
      via: 'api_key',
      apiKeyId: row.id,
      scope: row.scope,
      projectId: row.project_id,
      user: {
        id: row.user_id,
        email: row.email,
        name: row.user_name,
        isAdmin: row.is_admin,
        createdAt: row.user_created_at,
      },
    };
  }

  // Keys are managed by the person, never by another key: a leaked key must not mint more.
  private requireSession(principal: Principal): string {
    if (principal.via !== 'session')
      throw new Forbidden('API keys are managed from a signed-in session, not with an API key');
    return principal.user.id;
  }
}
