import type { Db } from '../db/database.js';

export interface AuditEvent {
  actorUserId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  projectId?: string | null;
  details?: Record<string, unknown>;
  at: Date;
}

/** The audit trail: who did what to which thing, kept for operators. */
export class AuditLog {
  constructor(private readonly db: Db) {}

  async record(e: AuditEvent, db: Db = this.db): Promise<void> {
    await db
      .insertInto('audit_events')
      .values({
        actor_user_id: e.actorUserId,
        action: e.action,
        target_type: e.targetType,
        target_id: e.targetId,
        project_id: e.projectId ?? null,
        details: JSON.stringify(e.details ?? {}),
        created_at: e.at,
      })
      .execute();
  }
}
