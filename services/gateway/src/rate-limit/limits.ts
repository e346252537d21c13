import type { Logger } from '@ticketping/logger';
import { client, type ServiceMetrics } from '@ticketping/metrics';
import type { RedisClient } from '@ticketping/redis';
import type { GatewayConfig } from '../config.ts';
import { createCaps } from './caps.ts';
import { createRateLimiter } from './rate-limiter.ts';

/** The rate limits and the per-address caps, with their counters. */
export function createLimits({ config, redis, metrics, logger }: { config: GatewayConfig; redis: RedisClient; metrics: ServiceMetrics; logger: Logger }) {
  const rateLimited = new client.Counter({ name: 'ticketping_gateway_rate_limited_total', help: 'Requests refused with 429', labelNames: ['class', 'scope'] as const, registers: [metrics.registry] });
  const limiterErrors = new client.Counter({ name: 'ticketping_gateway_rate_limiter_errors_total', help: 'Rate-limit reports Redis did not answer in time (the replica went on with its own count)', registers: [metrics.registry] });
  const capped = new client.Counter({ name: 'ticketping_gateway_capped_total', help: 'Entries and sign-ups refused with 429 by the per-address and per-range caps', labelNames: ['class', 'scope'] as const, registers: [metrics.registry] });
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
  const caps = createCaps(redis, {
    keyPrefix: config.REDIS_KEY_PREFIX,
    windowSeconds: config.CAP_WINDOW_SECONDS,
    limits: {
      entry: { ip: config.CAP_ENTRIES_PER_IP, range: config.CAP_ENTRIES_PER_RANGE },
      signup: { ip: config.CAP_SIGNUPS_PER_IP, range: config.CAP_SIGNUPS_PER_RANGE },
    },
    redisTimeoutMs: config.RATE_LIMIT_REDIS_TIMEOUT_MS,
    logger,
    onLimited: (capClass, scope) => capped.inc({ class: capClass, scope }),
    onError: () => limiterErrors.inc(),
  });
  return {
    limiter,
    caps,
    close(): void {
      limiter.close();
      caps.close();
    },
  };
}
