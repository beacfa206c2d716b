import type {
  AdminTemplate,
  CreateTemplateBody,
  Pagination,
  Template,
  UpdateTemplateBody,
} from '@swiftcloud/contracts';
import type { Principal } from '../../auth/principal.js';
import type { AuditLog } from '../../platform/audit.js';
import { apiTime, type Clock } from '../../platform/clock.js';
import { NotFound, ValidationFailed } from '../../platform/errors.js';
import type { NodesRepo } from '../nodes/nodes.repo.js';
import type {
  SourceValue,
  TemplateRow,
  TemplateSourceRow,
  TemplatesRepo,
} from './templates.repo.js';

function templateView(row: TemplateRow): Template {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    osFamily: row.os_family,
    minDiskGiB: row.min_disk_gib,
  };
}

function adminTemplateView(row: TemplateRow, sources: TemplateSourceRow[]): AdminTemplate {
  return {
    ...templateView(row),
    active: row.active,
    sources: sources
      .filter((s) => s.template_id === row.id)
      .map((s) => ({ nodeId: s.node_id, nodeName: s.node_name, source: s.source })),
    createdAt: apiTime(row.created_at),
    updatedAt: apiTime(row.updated_at),
  };
}

/** The images VMs are made from, and each node's own template for them. */
export class TemplatesService {
  constructor(
    private readonly templates: TemplatesRepo,
    private readonly nodes: NodesRepo,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  /** What customers may choose from: active templates only. */
  async listPublic(page: Pagination): Promise<{ data: Template[]; total: number }> {
    const { rows, total } = await this.templates.list({ activeOnly: true }, page);
    return { data: rows.map(templateView), total };
  }

  async list(page: Pagination): Promise<{ data: AdminTemplate[]; total: number }> {
    const { rows, total } = await this.templates.list({ activeOnly: false }, page);
    const sources = await this.templates.sourcesOf(rows.map((r) => r.id));
    return { data: rows.map((r) => adminTemplateView(r, sources)), total };
  }

  async get(id: string): Promise<AdminTemplate> {
    const row = await this.templates.find(id);
    if (!row) throw new NotFound('Template');
    return adminTemplateView(row, await this.templates.sourcesOf([id]));
  }

  async create(actor: Principal, input: CreateTemplateBody): Promise<AdminTemplate> {
    const sources = await this.checkSources(input.sources);
    const id = await this.templates.create(
      {
        slug: input.slug,
        name: input.name,
        osFamily: input.os_family,
        minDiskGiB: input.min_disk_gib,
        active: input.active ?? true,
      },
      sources ?? [],
      this.clock.now(),
    );
    await this.record(actor, 'template.create', id, input);
    return this.get(id);
  }

  async update(actor: Principal, id: string, input: UpdateTemplateBody): Promise<AdminTemplate> {
    const sources = await this.checkSources(input.sources);
    const found = await this.templates.update(
      id,
      {
        name: input.name,
        osFamily: input.os_family,
        minDiskGiB: input.min_disk_gib,
        active: input.active,
      },
      sources,
      this.clock.now(),
    );
    if (!found) throw new NotFound('Template');
    await this.record(actor, 'template.update', id, input);
    return this.get(id);
  }

  async delete(actor: Principal, id: string): Promise<void> {
    if (!(await this.templates.delete(id))) throw new NotFound('Template');
    await this.record(actor, 'template.delete', id, {});
  }

  /** Sets the node's own name for the template (adds it, or replaces the one it had). */
  async setSource(
    actor: Principal,
    templateId: string,
    nodeId: string,
    source: string,
  ): Promise<AdminTemplate> {
    if (!(await this.templates.find(templateId))) throw new NotFound('Template');
    if ((await this.nodes.missing([nodeId])).length > 0) throw new NotFound('Node');
    await this.templates.setSource(templateId, nodeId, source, this.clock.now());
    await this.record(actor, 'template.source.set', templateId, { nodeId, source });
    return this.get(templateId);
  }

  async removeSource(actor: Principal, templateId: string, nodeId: string): Promise<void> {
    if (!(await this.templates.find(templateId))) throw new NotFound('Template');
    if (!(await this.templates.removeSource(templateId, nodeId, this.clock.now())))
      throw new NotFound('Template source on this node');
    await this.record(actor, 'template.source.remove', templateId, { nodeId });
  }

  private async checkSources(
    sources: { node_id: string; source: string }[] | undefined,
  ): Promise<SourceValue[] | undefined> {
    if (!sources) return undefined;
    const missing = new Set(await this.nodes.missing(sources.map((s) => s.node_id)));
    const details = sources.flatMap((s, i) =>
      missing.has(s.node_id)
        ? [{ field: `sources.${i}.node_id`, message: `No node has id ${s.node_id}` }]
        : [],
    );
    if (details.length > 0) throw new ValidationFailed(details[0]!.message, details);
    return sources.map((s) => ({ nodeId: s.node_id, source: s.source }));
  }

  private record(actor: Principal, action: string, id: string, details: object) {
    return this.audit.record({
      actorUserId: actor.user.id,
      action,
      targetType: 'template',
      targetId: id,
      details: { ...details },
      at: this.clock.now(),
    });
  }
}
