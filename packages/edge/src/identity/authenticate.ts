import type { Request } from 'express';
import { TokenError, type VerifiedToken } from '@ticketping/auth-tokens';
import { UnauthorizedError, type Caller } from '@ticketping/http';

const BEARER = /^Bearer ([\w-]+\.[\w-]*\.[\w-]*)$/i;

/**
 * The caller from `Authorization: Bearer <access token>`, verified locally; undefined when a
 * public route is called without a token. A token that is sent must be valid even on a public
 * route: a client holding a bad token should learn so (and refresh) rather than quietly browse
 * as a stranger. Client-sent x-user-* headers are never read.
 */
export async function authenticate(req: Request, verifyAccessToken: (token: string) => Promise<VerifiedToken>, access: 'public' | 'user'): Promise<Caller | undefined> {
  const header = req.headers.authorization;
  if (header === undefined) {
    if (access === 'public') return undefined;
    throw new UnauthorizedError('UNAUTHORIZED', 'Log in first: this needs an access token');
  }
  const token = BEARER.exec(header)?.[1];
  if (!token) throw new UnauthorizedError('TOKEN_INVALID', 'Send the access token as "Authorization: Bearer <token>"');
  try {
    const payload = await verifyAccessToken(token);
    return { id: payload.sub, role: payload.role === 'ADMIN' ? 'ADMIN' : 'USER', emailVerified: payload.ev === true };
  } catch (error) {
    if (error instanceof TokenError) throw new UnauthorizedError(error.reason === 'TOKEN_EXPIRED' ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID', error.message);
    throw error;
  }
}
