import type { NextFunction, Request, Response } from 'express';
import type { CodeWithStatus } from '@ticketping/contracts/errors';
import { addressRange, canonicalAddress } from '@ticketping/http';
import type { Logger } from '@ticketping/logger';
import type { RedisClient } from '@ticketping/redis';
import { createRateLimiter } from '@ticketping/edge';

/** What is capped: joining a waiting line (per performance), and creating an account. */
export type CapClass = 'entry' | 'signup';
/** Who is capped: one client address, and its block (/24 for IPv4, /64 for IPv6). */
export type CapScope = 'ip' | 'range';

export interface CapsOptions {
  keyPrefix: string;
  windowSeconds: number;
  limits: Record<CapClass, Record<CapScope, number>>;
  redisTimeoutMs: number;
  logger: Logger;
  onLimited: (capClass: CapClass, scope: CapScope) => void;
  onError: () => void;
}

const REFUSALS: Record<CapClass, { code: CodeWithStatus<429>; what: string }> = {
  entry: { code: 'ENTRY_CAP_REACHED', what: 'Too many entries to this waiting line' },
  signup: { code: 'SIGNUP_CAP_REACHED', what: 'Too many new accounts' },
};

/**
 * Caps on the two things a script with many accounts does in bulk: creating accounts and joining
 * a line (where each entry takes a place a fan could have had). Counted per client address and
 * per address range over a long window, shared by every gateway replica through Redis; when
 * Redis is down each replica caps on its own count (see the edge's rate-limiter.ts). The address is the one
 * express worked out under TRUST_PROXY: an X-Forwarded-For from a peer that is not a trusted
 * proxy is ignored, so a client cannot pick the address it is counted under.
 */
export function createCaps(redis: RedisClient, options: CapsOptions) {
  const limiter = createRateLimiter<CapClass, CapScope>(redis, {
    keyPrefix: `${options.keyPrefix}:cap`,
    windowSeconds: options.windowSeconds,
    limits: options.limits,
    redisTimeoutMs: options.redisTimeoutMs,
    logger: options.logger,
    onLimited: options.onLimited,
    onError: options.onError,
    refusal: (capClass, scope) => ({
      code: REFUSALS[capClass].code,
      detail: `${REFUSALS[capClass].what} from ${scope === 'ip' ? 'this address' : 'this network'}; try again later`,
    }),
  });

  /** A refusal thrown at once becomes a rejected promise, so both budgets are always counted and awaited. */
  const check = (capClass: CapClass, scope: CapScope, id: string): Promise<void> => {
    try {
      return limiter.check(capClass, scope, id) ?? Promise.resolve();
    } catch (refusal) {
      return Promise.reject(refusal);
    }
  };

  async function count(capClass: CapClass, clientIp: string, per: string): Promise<void> {
    const address = canonicalAddress(clientIp);
    // Both count even when one refuses, as the gate's budgets do.
    const results = await Promise.allSettled([
      check(capClass, 'ip', `${per}|${address}`),
      check(capClass, 'range', `${per}|${addressRange(address)}`),
    ]);
    const refused = results.find((r) => r.status === 'rejected');
    if (refused) throw refused.reason;
  }

  return {
    /** A route step after the gate (which sets req.clientIp); entries count per performance (waitlist entries per schedule). */
    step: (capClass: CapClass) => async (req: Request, _res: Response, next: NextFunction) => {
      const per = capClass === 'entry' ? String(req.params.performanceId ?? req.params.scheduleId) : '*';
      await count(capClass, req.clientIp ?? req.ip ?? 'unknown', per);
      next();
    },
    close: () => limiter.close(),
  };
}

export type Caps = ReturnType<typeof createCaps>;
