import type { Member, Pagination, Project, ProjectRole } from '@swiftcloud/contracts';
import type { Principal } from '../auth/principal.js';
import type { UsersRepo } from '../auth/users.repo.js';
import { CURRENCY, formatNgwee } from '../billing/money.js';
import type { AuditLog } from '../platform/audit.js';
import { apiTime, type Clock } from '../platform/clock.js';
import { Conflict, Forbidden, NotFound, ValidationFailed } from '../platform/errors.js';
import type { MemberRow, MembersRepo } from './members.repo.js';
import type { ProjectRow, ProjectsRepo } from './projects.repo.js';

/** What a caller needs to do: read (any member), write (owner or member), manage (owner). */
export type ProjectAccess = 'read' | 'write' | 'manage';

const ALLOWED: Record<ProjectAccess, readonly ProjectRole[]> = {
  read: ['owner', 'member', 'viewer'],
  write: ['owner', 'member'],
  manage: ['owner'],
};

const REFUSAL: Record<ProjectAccess, string> = {
  read: '',
  write: 'Viewers can only read this project; ask an owner for the member role',
  manage: 'Only project owners can do this',
};

function projectView(row: ProjectRow): Project {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    createdAt: apiTime(row.created_at),
    resourceCount: Number(row.resource_count),
    balance: formatNgwee(row.balance_ngwee),
    currency: CURRENCY,
    role: row.role,
  };
}

function memberView(row: MemberRow): Member {
  return {
    userId: row.user_id,
    email: row.email,
    name: row.name,
    role: row.role,
    createdAt: apiTime(row.created_at),
  };
}

/** Projects, their members and the role checks every project-scoped module relies on. */
export class ProjectsService {
  constructor(
    private readonly projects: ProjectsRepo,
    private readonly members: MembersRepo,
    private readonly users: UsersRepo,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  /**
   * The caller's role in a project, if it allows `need`. A project the caller cannot see
   * (not a member, or an API key bound to another project) is NOT_FOUND, never FORBIDDEN,
   * so its existence does not leak.
   */
  async authorize(
    principal: Principal,
    projectId: string,
    need: ProjectAccess,
  ): Promise<ProjectRole> {
    if (principal.via === 'api_key' && principal.projectId && principal.projectId !== projectId)
      throw new NotFound('Project');
    const role = await this.projects.roleOf(principal.user.id, projectId);
    if (!role) throw new NotFound('Project');
    if (!ALLOWED[need].includes(role)) throw new Forbidden(REFUSAL[need]);
    return role;
  }

  /**
   * `authorize` for a thing inside the project (a VM, a domain): when the caller cannot see
   * the project, the thing is NOT_FOUND under its own name, as if it did not exist.
   */
  async authorizeFor(
    principal: Principal,
    projectId: string,
    need: ProjectAccess,
    thing: string,
  ): Promise<ProjectRole> {
    try {
      return await this.authorize(principal, projectId, need);
    } catch (err) {
      if (err instanceof NotFound) throw new NotFound(thing);
      throw err;
    }
  }

  /** For API keys bound to a project: is the user a member of it? */
  isMember = async (userId: string, projectId: string): Promise<boolean> =>
    (await this.projects.roleOf(userId, projectId)) !== undefined;

  async list(principal: Principal, page: Pagination): Promise<{ data: Project[]; total: number }> {
    const only = principal.via === 'api_key' ? principal.projectId : null;
    const { rows, total } = await this.projects.list(principal.user.id, only, page);
    return { data: rows.map(projectView), total };
  }

  async get(principal: Principal, projectId: string): Promise<Project> {
    await this.authorize(principal, projectId, 'read');
    return this.load(principal.user.id, projectId);
  }

  async create(
    principal: Principal,
    input: { name: string; description?: string | undefined },
  ): Promise<Project> {
    if (principal.via === 'api_key' && principal.projectId) {
      throw new Forbidden('This API key is bound to one project and cannot create projects');
    }
    const id = await this.projects.create({
      name: input.name,
      description: input.description ?? '',
      ownerId: principal.user.id,
      now: this.clock.now(),
    });
    return this.load(principal.user.id, id);
  }

  async update(
    principal: Principal,
    projectId: string,
    changes: { name?: string | undefined; description?: string | undefined },
  ): Promise<Project> {
    await this.authorize(principal, projectId, 'write');
    await this.projects.update(projectId, { ...changes, now: this.clock.now() });
    return this.load(principal.user.id, projectId);
  }

  async delete(principal: Principal, projectId: string): Promise<void> {
    await this.authorize(principal, projectId, 'manage');
    if (await this.projects.deleteIfEmpty(projectId)) {
      await this.audit.record({
        actorUserId: principal.user.id,
        action: 'project.delete',
        targetType: 'project',
        targetId: projectId,
        at: this.clock.now(),
      });
      return;
    }
    const p = await this.load(principal.user.id, projectId);
    const holds = [
      p.resourceCount > 0 ? `${p.resourceCount} resource(s)` : null,
      p.balance !== '0.00' ? `a balance of ${p.balance} ${p.currency}` : null,
    ].filter(Boolean);
    throw new Conflict(
      `The project still holds ${holds.join(' and ')}; delete its resources and settle its balance first`,
    );
  }

  async listMembers(
    principal: Principal,
    projectId: string,
    page: Pagination,
  ): Promise<{ data: Member[]; total: number }> {
    await this.authorize(principal, projectId, 'read');
    const { rows, total } = await this.members.list(projectId, page);
    return { data: rows.map(memberView), total };
  }

  async addMember(
    principal: Principal,
    projectId: string,
    input: { email: string; role: ProjectRole },
  ): Promise<Member> {
    await this.authorize(principal, projectId, 'manage');
    const user = await this.users.findByEmail(input.email);
    if (!user || user.disabled_at) {
      throw ValidationFailed.field(
        'email',
        'No SwiftCloud account uses this email; ask them to sign up first',
      );
    }
    await this.members.add(projectId, user.id, input.role, this.clock.now());
    await this.auditMember(principal, projectId, 'project.member.add', user.id, {
      role: input.role,
    });
    return this.loadMember(projectId, user.id);
  }

  async changeMemberRole(
    principal: Principal,
    projectId: string,
    userId: string,
    role: ProjectRole,
  ): Promise<Member> {
    await this.authorize(principal, projectId, 'manage');
    await this.applyMemberChange(projectId, userId, role);
    await this.auditMember(principal, projectId, 'project.member.role', userId, { role });
    return this.loadMember(projectId, userId);
  }

  /** Owners remove anyone; every member may leave on their own. */
  async removeMember(principal: Principal, projectId: string, userId: string): Promise<void> {
    await this.authorize(principal, projectId, userId === principal.user.id ? 'read' : 'manage');
    await this.applyMemberChange(projectId, userId, null);
    await this.auditMember(principal, projectId, 'project.member.remove', userId, {});
  }

  private async applyMemberChange(
    projectId: string,
    userId: string,
    role: ProjectRole | null,
  ): Promise<void> {
    const outcome = await this.members.change(projectId, userId, role);
    if (outcome === 'not_member') throw new NotFound('Member');
    if (outcome === 'last_owner') {
      throw new Conflict('A project always keeps an owner: make someone else owner first');
    }
  }

  private auditMember(
    principal: Principal,
    projectId: string,
    action: string,
    userId: string,
    details: Record<string, unknown>,
  ) {
    return this.audit.record({
      actorUserId: principal.user.id,
      action,
      targetType: 'user',
      targetId: userId,
      projectId,
      details,
      at: this.clock.now(),
    });
  }

  private async load(userId: string, projectId: string): Promise<Project> {
    const row = await this.projects.getForUser(userId, projectId);
    if (!row) throw new NotFound('Project');
    return projectView(row);
  }

  private async loadMember(projectId: string, userId: string): Promise<Member> {
    const row = await this.members.find(projectId, userId);
    if (!row) throw new NotFound('Member');
    return memberView(row);
  }
}
