import type { ApiKey, User } from '@swiftcloud/contracts';
import { apiTime } from '../platform/clock.js';
import type { ApiKeyRow } from './api-keys.repo.js';
import type { AuthenticatedUser } from './principal.js';

export function userView(u: AuthenticatedUser): User {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    isAdmin: u.isAdmin,
    createdAt: apiTime(u.createdAt),
  };
}

export function userFromRow(row: {
  id: string;
  email: string;
  name: string;
  is_admin: boolean;
  created_at: Date;
}): AuthenticatedUser {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    isAdmin: row.is_admin,
    createdAt: row.created_at,
  };
}

export function apiKeyView(k: ApiKeyRow): ApiKey {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    scope: k.scope,
    projectId: k.project_id,
    expiresAt: apiTime(k.expires_at),
    lastUsedAt: apiTime(k.last_used_at),
    createdAt: apiTime(k.created_at),
  };
}
