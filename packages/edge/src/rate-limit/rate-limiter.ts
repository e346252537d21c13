import { TooManyRequestsError } from '@ticketping/http';
import type { CodeWithStatus } from '@ticketping/contracts/errors';
import type { Logger } from '@ticketping/logger';
import type { RedisClient } from '@ticketping/redis';

/** The typed face of ../redis/lua/countRequests-1.lua. */
interface RateCommands { countRequests(key: string, requests: number, keepMs: number): Promise<number> }

export type RateClass = 'api' | 'poll';
export type RateScope = 'user' | 'ip';

export interface RateLimiterOptions<C extends string = RateClass, S extends string = RateScope> {
  keyPrefix: string;
  windowSeconds: number;
  /** Requests per window by class and scope; 0 (or no entry) = no limit. */
  limits: Record<C, Partial<Record<S, number>>>;
  redisTimeoutMs: number;
  logger: Logger;
  onLimited: (rateClass: C, scope: S) => void;
  onError: () => void;
  /** The 429's code and detail when a budget is spent (default: RATE_LIMITED, naming the account or the address). */
  refusal?: (rateClass: C, scope: S) => { code: CodeWithStatus<429>; detail: string };
}

const defaultRefusal = (_rateClass: string, scope: string): { code: CodeWithStatus<429>; detail: string } => ({
  code: 'RATE_LIMITED',
  detail: scope === 'user' ? 'Too many requests from this account; slow down' : 'Too many requests from this address; slow down',
});

/** A replica reports a budget's count to Redis each time it has counted this share of the limit. */
const REPORT_SHARE = 10;
/** After Redis failed to answer, decide locally this long before trying it again. */
const QUIET_AFTER_FAILURE_MS = 1000;

/** One budget in the current window, as this replica knows it. */
interface Count {
  /** The shared count Redis last answered (every replica's reports, ours included). */
  known: number;
  /** Requests counted here and not reported yet. */
  unreported: number;
}

/**
 * Fixed windows (aligned to the clock, so every replica agrees where they start) whose counts every
 * gateway replica shares through Redis. A replica counts locally and reports in batches of a tenth
 * of the limit (`INCRBY`, answered with the shared count): a fan polling at a normal pace never
 * costs a Redis round trip, a client nearing its limit costs one per batch, and a limit under 20 is
 * checked in Redis on every request, exactly. The shared budget holds to within one unreported
 * batch per replica. When Redis is slow or down, each replica goes on with its own count and lets
 * the rest through: rate limiting protects the platform and must not become the outage itself.
 */
export function createRateLimiter<C extends string = RateClass, S extends string = RateScope>(redis: RedisClient, options: RateLimiterOptions<C, S>) {
  const commands = redis as unknown as RateCommands;
  const windowMs = options.windowSeconds * 1000;
  let window = -1;
  // One map per budget, keyed by the id alone: the id is usually the same string object request
  // after request (a cached token's subject), so its hash is computed once, not per request.
  const budgets = Object.entries(options.limits) as Array<[C, Partial<Record<S, number>>]>;
  const newCounts = () => Object.fromEntries(budgets.map(([rateClass, scopes]) => [rateClass, Object.fromEntries(Object.keys(scopes).map((scope) => [scope, new Map<string, Count>()]))])) as Record<C, Record<S, Map<string, Count>>>;
  const refusal = options.refusal ?? defaultRefusal;
  let counts = newCounts();
  let quietUntil = 0;
  let lastWarning = 0;

  // A shared deadline instead of a timer per report: a report races the generation current when it
  // started, which resolves two half periods later, so each waits between half and all of redisTimeoutMs.
  let current = Promise.withResolvers<undefined>();
  let previous = Promise.withResolvers<undefined>();
  const ticker = setInterval(() => {
    previous.resolve(undefined);
    previous = current;
    current = Promise.withResolvers<undefined>();
  }, Math.max(1, options.redisTimeoutMs / 2));
  ticker.unref();

  /** Adds a batch to the shared count; undefined when Redis did not answer in time. */
  async function report(key: string, requests: number): Promise<number | undefined> {
    try {
      const counted = await Promise.race([commands.countRequests(key, requests, 2 * windowMs), current.promise]);
      return counted ?? failed(new Error(`no answer within ${options.redisTimeoutMs} ms`));
    } catch (error) {
      return failed(error);
    }
  }

  function failed(error: unknown): undefined {
    options.onError();
    quietUntil = Date.now() + QUIET_AFTER_FAILURE_MS;
    if (Date.now() - lastWarning > 10_000) {
      lastWarning = Date.now();
      options.logger.warn({ err: error }, 'rate limiter cannot reach Redis: each replica limits on its own count');
    }
    return undefined;
  }

  function enforce(count: Count, limit: number, rateClass: C, scope: S, windowEnds: number): void {
    if (count.known + count.unreported <= limit) return;
    options.onLimited(rateClass, scope);
    const { code, detail } = refusal(rateClass, scope);
    throw new TooManyRequestsError(Math.max(1, (windowEnds - Date.now()) / 1000), detail, code);
  }

  async function reportAndEnforce(key: string, count: Count, limit: number, rateClass: C, scope: S, windowEnds: number): Promise<void> {
    const batch = count.unreported;
    count.unreported = 0;
    const shared = await report(key, batch);
    if (shared === undefined) count.unreported += batch;
    else count.known = Math.max(count.known, shared);
    enforce(count, limit, rateClass, scope, windowEnds);
  }

  return {
    /**
     * Counts the request against `id`'s budget and throws 429 with Retry-After once it is spent.
     * Returns a promise only when this request reports to Redis; most return at once.
     */
    check(rateClass: C, scope: S, id: string): Promise<void> | undefined {
      const limit = options.limits[rateClass][scope];
      if (!limit) return undefined;
      const now = Date.now();
      const thisWindow = Math.floor(now / windowMs);
      if (thisWindow !== window) {
        window = thisWindow;
        counts = newCounts();
      }
      const windowEnds = (thisWindow + 1) * windowMs;
      const budget = counts[rateClass][scope];
      let count = budget.get(id);
      if (!count) budget.set(id, (count = { known: 0, unreported: 0 }));
      count.unreported++;
      if (count.unreported >= Math.max(1, Math.floor(limit / REPORT_SHARE)) && now >= quietUntil) {
        return reportAndEnforce(`${options.keyPrefix}:rl:${rateClass}:${scope}:${id}:${thisWindow}`, count, limit, rateClass, scope, windowEnds);
      }
      enforce(count, limit, rateClass, scope, windowEnds);
      return undefined;
    },

    close(): void {
      clearInterval(ticker);
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
