import { z } from 'zod';
import { currency, email, envelope, listEnvelope, money, text, timestamp, uuid } from './common.js';

export const PROJECT_ROLES = ['owner', 'member', 'viewer'] as const;
export type ProjectRole = (typeof PROJECT_ROLES)[number];
const role = z.enum(PROJECT_ROLES, { message: 'role must be owner, member or viewer' });

export const projectSchema = z
  .object({
    id: uuid,
    name: z.string(),
    description: z.string(),
    createdAt: timestamp,
    resourceCount: z.number().int(),
    balance: money,
    currency,
    role: role.meta({ description: "The caller's role in the project" }),
  })
  .meta({ id: 'Project' });
export type Project = z.infer<typeof projectSchema>;

const projectName = text({ min: 1, max: 64, label: 'Name' });
const projectDescription = text({ max: 500, label: 'Description' });

export const createProjectBody = z.strictObject({
  name: projectName,
  description: projectDescription.optional(),
});

export const updateProjectBody = z
  .strictObject({
    name: projectName.optional(),
    description: projectDescription.optional(),
  })
  .refine((b) => b.name !== undefined || b.description !== undefined, {
    message: 'Send name, description or both',
  });

export const projectResponse = envelope(projectSchema);
export const projectListResponse = listEnvelope(projectSchema);

export const memberSchema = z
  .object({
    userId: uuid,
    email: z.string(),
    name: z.string(),
    role,
    createdAt: timestamp,
  })
  .meta({ id: 'ProjectMember' });
export type Member = z.infer<typeof memberSchema>;

export const memberParams = z.object({ id: uuid, user_id: uuid });
export const addMemberBody = z.strictObject({ email, role });
export const updateMemberBody = z.strictObject({ role });
export const memberResponse = envelope(memberSchema);
export const memberListResponse = listEnvelope(memberSchema);
