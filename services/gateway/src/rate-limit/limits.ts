import { createRateLimits } from '@ticketping/edge';
import type { Logger } from '@ticketping/logger';
import { client, type ServiceMetrics } from '@ticketping/metrics';
import type { RedisClient } from '@ticketping/redis';
import type { GatewayConfig } from '../config.ts';
import { createCaps } from './caps.ts';

/** The edge's rate limits and the gateway's own per-address caps, with their counters. */
export function createLimits({ config, redis, metrics, logger }: { config: GatewayConfig; redis: RedisClient; metrics: ServiceMetrics; logger: Logger }) {
  const { limiter, errors } = createRateLimits({ config, redis, metrics, logger, metricPrefix: 'ticketping_gateway' });
  const capped = new client.Counter({ name: 'ticketping_gateway_capped_total', help: 'Entries and sign-ups refused with 429 by the per-address and per-range caps', labelNames: ['class', 'scope'] as const, registers: [metrics.registry] });
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
    onError: () => errors.inc(),
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
