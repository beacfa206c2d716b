import { z } from 'zod';
import { email, envelope, text, timestamp, uuid } from './common.js';

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;

const password = z
  .string()
  .min(PASSWORD_MIN, `Password must be at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `Password must be at most ${PASSWORD_MAX} characters`);

export const userSchema = z
  .object({
    id: uuid,
    email: z.string(),
    name: z.string(),
    isAdmin: z.boolean(),
    createdAt: timestamp,
  })
  .meta({ id: 'User' });
export type User = z.infer<typeof userSchema>;

export const registerBody = z.strictObject({
  email,
  password,
  name: text({ min: 1, max: 100, label: 'Name' }),
});

export const loginBody = z.strictObject({
  email,
  // Any length is accepted at login so that a too-short guess is just a failed login.
  password: z.string().max(PASSWORD_MAX, `Password must be at most ${PASSWORD_MAX} characters`),
});

export const changePasswordBody = z.strictObject({
  current_password: z.string().max(PASSWORD_MAX),
  new_password: password,
});

export const sessionSchema = z
  .object({
    token: z.string().meta({ description: 'Send as `Authorization: Bearer <token>`' }),
    expiresAt: timestamp,
    csrfToken: z.string().meta({
      description: 'Send as `X-CSRF-Token` on writes authenticated by the session cookie',
    }),
    user: userSchema,
  })
  .meta({ id: 'Session' });

export const sessionResponse = envelope(sessionSchema);

export const meResponse = envelope(
  z.object({
    user: userSchema,
    authenticatedBy: z.enum(['session', 'api_key']),
    csrfToken: z.string().nullable(),
    expiresAt: timestamp.nullable(),
  }),
);

export const passwordChangedResponse = envelope(z.object({ otherSessionsEnded: z.number() }));
