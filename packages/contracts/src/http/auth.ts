import { z } from 'zod';
import { uuid } from './common.ts';

// Unknown fields (a `role`, say) are dropped by zod's default object parsing.
export const SignUp = z
  .object({
    email: z.string().trim().max(254).pipe(z.email()),
    password: z.string().min(8, 'at least 8 characters').max(256),
    nickname: z.string().trim().min(1).max(40),
  })
  .meta({ id: 'SignUp' });

// Login takes any string: a stricter shape check would answer differently from a wrong password.
export const Credentials = z.object({ email: z.string().min(1).max(320), password: z.string().min(1).max(1024) }).meta({ id: 'Credentials' });
export const RefreshRequest = z.object({ refreshToken: z.string().min(1).max(512) }).meta({ id: 'RefreshRequest' });

export const TokenPair = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string().meta({ description: 'Opaque; works once' }),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().meta({ description: 'Seconds the access token lives' }),
  })
  .meta({ id: 'TokenPair' });

export const User = z.object({ id: uuid(), email: z.email(), nickname: z.string() }).meta({ id: 'User' });
export const Role = z.enum(['USER', 'ADMIN']);
export const Profile = User.extend({
  role: Role,
  emailVerified: z.boolean().meta({ description: 'Whether the address was confirmed (`POST /api/v1/users/verification`); some waiting rooms admit only confirmed addresses.' }),
}).meta({ id: 'Profile' });

/** The secret from the verification mail's link (or typed from the mail). */
export const EmailVerification = z
  .object({ token: z.string().trim().min(16).max(128).regex(/^[\w-]+$/, 'the code from the mail') })
  .meta({ id: 'EmailVerification' });
export const userIdParams = z.object({ userId: uuid() });
export const EmailVerified = z.object({ id: uuid(), email: z.email(), emailVerified: z.literal(true) }).meta({ id: 'EmailVerified' });

export type SignUp = z.infer<typeof SignUp>;
export type TokenPair = z.infer<typeof TokenPair>;
export type User = z.infer<typeof User>;
export type Profile = z.infer<typeof Profile>;
export type EmailVerification = z.infer<typeof EmailVerification>;
