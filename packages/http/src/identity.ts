import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { ForbiddenError, UnauthorizedError } from './errors.ts';

/**
 * Headers the gateway sets after verifying the caller's access token. Services trust them only on
 * requests that also carry the internal credential, and the gateway strips them from client requests.
 */
export const IDENTITY_HEADERS = { userId: 'x-user-id', role: 'x-user-role', emailVerified: 'x-user-email-verified', internalToken: 'x-internal-token' } as const;

export type Role = 'USER' | 'ADMIN';
/** `emailVerified`: the access token says the address was confirmed (its `ev` claim). */
export interface Caller { id: string; role: Role; emailVerified?: boolean }

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Services accept calls only from the gateway: every route but health and metrics needs the shared
 * internal token. (The chart's NetworkPolicy is the second fence.)
 */
export function requireInternalCaller(internalToken: string) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!fromInside(req, internalToken)) throw new UnauthorizedError('INTERNAL_ONLY', 'This service is reachable only through the gateway');
    next();
  };
}

/** Whether the request carries the internal credential (it comes from the gateway or another service). */
export function fromInside(req: Request, internalToken: string): boolean {
  const given = req.headers[IDENTITY_HEADERS.internalToken];
  return typeof given === 'string' && sameSecret(given, internalToken);
}

/** The verified caller, or 401 when the route needs one and the gateway saw no valid access token. */
export function caller(req: Request): Caller {
  return callerFrom(req.headers);
}

/** The same from identity headers alone: a request's, or those the gateway gives an item of a batch. */
export function callerFrom(headers: Record<string, string | string[] | undefined>): Caller {
  const id = headers[IDENTITY_HEADERS.userId];
  const role = headers[IDENTITY_HEADERS.role];
  if (typeof id !== 'string' || !id) throw new UnauthorizedError('UNAUTHORIZED', 'Log in first: this needs an access token');
  return { id, role: role === 'ADMIN' ? 'ADMIN' : 'USER', ...(headers[IDENTITY_HEADERS.emailVerified] === '1' ? { emailVerified: true } : {}) };
}

export function requireAdmin(req: Request): Caller {
  const who = caller(req);
  if (who.role !== 'ADMIN') throw new ForbiddenError('ADMIN_ONLY', 'Only an administrator may do this');
  return who;
}
