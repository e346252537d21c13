import type { NextFunction, Request, Response } from 'express';
import type { VerifiedToken } from '@ticketping/auth-tokens';
import type { Caller } from '@ticketping/http';
import { authenticate } from './identity/authenticate.ts';
import type { RateClass, RateLimiter, RateScope } from './rate-limit/rate-limiter.ts';

declare module 'express-serve-static-core' {
  interface Request {
    /** The caller whose access token the gateway verified; unset on anonymous public requests. */
    caller?: Caller;
    /** The client's address (from X-Forwarded-For when the hop is trusted), worked out once by the gate. */
    clientIp?: string;
  }
}

export type Access = 'public' | 'user';

/**
 * The front door of every API route: who is calling, and may they call this often? Both rate
 * limits (per IP, and per user when known) are counted, mostly without a round trip (see
 * rate-limiter.ts); a request with a bad token still counts against its IP, so token spraying is
 * throttled too.
 */
export function createGate(verifyAccessToken: (token: string) => Promise<VerifiedToken>, limiter: RateLimiter) {
  /** Sets `req.caller`, counts the request; throws the 401 or 429 the client gets. */
  async function pass(req: Request, access: Access, rateClass: RateClass): Promise<void> {
    let rejected: unknown;
    try {
      req.caller = await authenticate(req, verifyAccessToken, access);
    } catch (error) {
      rejected = error;
    }
    // Both budgets count even when one refuses; a refusal is thrown after both.
    const count = (scope: RateScope, id: string): Promise<void> | undefined => {
      try {
        return limiter.check(rateClass, scope, id);
      } catch (refusal) {
        return Promise.reject(refusal);
      }
    };
    req.clientIp = req.ip ?? 'unknown';
    const byIp = count('ip', req.clientIp);
    const byUser = req.caller ? count('user', req.caller.id) : undefined;
    if (byIp || byUser) await Promise.all([byIp, byUser]);
    if (rejected) throw rejected;
  }

  return {
    pass,
    /** `pass` as a middleware step of a routed request. */
    step: (access: Access, rateClass: RateClass) => async (req: Request, _res: Response, next: NextFunction) => {
      await pass(req, access, rateClass);
      next();
    },
  };
}

export type Gate = ReturnType<typeof createGate>;
