import { TooManyRequestsError } from '@ticketping/http';
import type { Logger } from '@ticketping/logger';
import type { RedisClient } from '@ticketping/redis';

/** The typed face of ../redis/lua/countRequest-1.lua. */
interface RateCommands { countRequest(key: string, windowMs: number): Promise<[number, number]> }

export type RateClass = 'api' | 'poll';
export type RateScope = 'user' | 'ip';

export interface RateLimiterOptions {
  keyPrefix: string;
  windowSeconds: number;
  /** Requests per window by class and scope; 0 = no limit. */
  limits: Record<RateClass, Record<RateScope, number>>;
  redisTimeoutMs: number;
  logger: Logger;
  onLimited: (rateClass: RateClass, scope: RateScope) => void;
  onError: () => void;
}

/**
 * Fixed-window counters in Redis, so every gateway replica shares one budget per user and per IP.
 * One atomic script call per check (ioredis pipelines concurrent calls into one round trip).
 * When Redis is slow or down the request goes through: rate limiting protects the platform and
 * must not become the outage itself.
 */
export function createRateLimiter(redis: RedisClient, options: RateLimiterOptions) {
  const commands = redis as unknown as RateCommands;
  const windowMs = options.windowSeconds * 1000;
  let lastWarning = 0;

  // A shared deadline instead of a timer per check (on the hot path a timer each costs more than
  // the check): a check races the generation current when it started, which resolves two half
  // periods later, so every check waits between half and the whole of redisTimeoutMs.
  let current = Promise.withResolvers<undefined>();
  let previous = Promise.withResolvers<undefined>();
  const ticker = setInterval(() => {
    previous.resolve(undefined);
    previous = current;
    current = Promise.withResolvers<undefined>();
  }, Math.max(1, options.redisTimeoutMs / 2));
  ticker.unref();

  async function count(key: string): Promise<[number, number] | undefined> {
    try {
      return await Promise.race([commands.countRequest(key, windowMs), current.promise])
        ?? failOpen(new Error(`no answer within ${options.redisTimeoutMs} ms`));
    } catch (error) {
      return failOpen(error);
    }
  }

  function failOpen(error: unknown): undefined {
    options.onError();
    if (Date.now() - lastWarning > 10_000) {
      lastWarning = Date.now();
      options.logger.warn({ err: error }, 'rate limiter unavailable: letting requests through');
    }
    return undefined;
  }

  return {
    /** Counts the request against `id`'s budget; 429 with Retry-After once it is spent. */
    async check(rateClass: RateClass, scope: RateScope, id: string): Promise<void> {
      const limit = options.limits[rateClass][scope];
      if (limit === 0) return;
      const counted = await count(`${options.keyPrefix}:rl:${rateClass}:${scope}:${id}`);
      if (!counted || counted[0] <= limit) return;
      options.onLimited(rateClass, scope);
      throw new TooManyRequestsError(counted[1] / 1000, scope === 'user' ? 'Too many requests from this account; slow down' : 'Too many requests from this address; slow down');
    },

    close(): void {
      clearInterval(ticker);
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
