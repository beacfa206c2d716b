import { z } from 'zod';
import { envelope, listEnvelope, text, timestamp, uuid } from './common.js';

export const API_KEY_SCOPES = ['read', 'read_write'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const apiKeySchema = z
  .object({
    id: uuid,
    name: z.string(),
    prefix: z.string().meta({ description: 'The first characters of the key, to recognise it' }),
    scope: z.enum(API_KEY_SCOPES),
    projectId: uuid.nullable(),
    expiresAt: timestamp.nullable(),
    lastUsedAt: timestamp.nullable(),
    createdAt: timestamp,
  })
  .meta({ id: 'ApiKey' });
export type ApiKey = z.infer<typeof apiKeySchema>;

export const createApiKeyBody = z.strictObject({
  name: text({ min: 1, max: 64, label: 'Name' }),
  scope: z
    .enum(API_KEY_SCOPES, { message: 'scope must be read or read_write' })
    .default('read_write'),
  project_id: uuid.nullish(),
  expires_at: z.iso
    .datetime({
      offset: true,
      message: 'expires_at must be an RFC 3339 time such as 2027-01-01T00:00:00Z',
    })
    .nullish(),
});

export const createdApiKeyResponse = envelope(
  apiKeySchema.extend({
    key: z.string().meta({ description: 'The secret, shown this once: store it now' }),
  }),
);

export const apiKeyListResponse = listEnvelope(apiKeySchema);
