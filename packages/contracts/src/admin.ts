import { z } from 'zod';
import { envelope, listEnvelope, paginationQuery, timestamp } from './common.js';
import { userSchema } from './auth.js';

export const adminUserSchema = userSchema
  .extend({
    disabledAt: timestamp.nullable(),
  })
  .meta({ id: 'AdminUser' });
export type AdminUser = z.infer<typeof adminUserSchema>;

export const adminUserListQuery = paginationQuery.extend({
  email: z.string().trim().max(254).optional().meta({ description: 'Part of the email to match' }),
});

export const adminUserResponse = envelope(adminUserSchema);
export const adminUserListResponse = listEnvelope(adminUserSchema);
