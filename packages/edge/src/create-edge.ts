import type { Logger } from '@ticketping/logger';
import { client, type ServiceMetrics } from '@ticketping/metrics';
import { defineScripts, type RedisClient } from '@ticketping/redis';
import { createGate } from './gate.ts';
import { createAccessTokenCheck } from './identity/access-tokens.ts';
import { createRateLimiter } from './rate-limit/rate-limiter.ts';
import { scripts } from './redis/lua/index.generated.ts';
import type { EdgeSettings } from './settings.ts';

/**
 * The edge's checks from its settings, as every process that applies them builds them: the gate
 * (the access token against auth's keys, the per-user and per-address rate limits) and the
 * limiter's counters, named `<metricPrefix>_rate_limited_total` and
 * `<metricPrefix>_rate_limiter_errors_total`.
 */
export function createEdge({ config, redis, metrics, logger, metricPrefix }: { config: EdgeSettings; redis: RedisClient; metrics: ServiceMetrics; logger: Logger; metricPrefix: string }) {
  defineScripts(redis, scripts);
  const rateLimited = new client.Counter({ name: `${metricPrefix}_rate_limited_total`, help: 'Requests refused with 429', labelNames: ['class', 'scope'] as const, registers: [metrics.registry] });
  const limiterErrors = new client.Counter({ name: `${metricPrefix}_rate_limiter_errors_total`, help: 'Rate-limit reports Redis did not answer in time (the replica went on with its own count)', registers: [metrics.registry] });
  const limiter = createRateLimiter(redis, {
    keyPrefix: config.REDIS_KEY_PREFIX,
    windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
    limits: {
      api: { user: config.RATE_LIMIT_PER_USER, ip: config.RATE_LIMIT_PER_IP },
      poll: { user: config.RATE_LIMIT_POLL_PER_USER, ip: config.RATE_LIMIT_POLL_PER_IP },
    },
    redisTimeoutMs: config.RATE_LIMIT_REDIS_TIMEOUT_MS,
    logger,
    onLimited: (rateClass, scope) => rateLimited.inc({ class: rateClass, scope }),
    onError: () => limiterErrors.inc(),
  });
  return {
    gate: createGate(createAccessTokenCheck(config), limiter),
    /** For other limiters on the same Redis (the gateway's caps), so one counter says Redis is slow. */
    limiterErrors,
    close: () => limiter.close(),
  };
}

export type Edge = ReturnType<typeof createEdge>;
