import type { Edge } from '@ticketping/edge';
import type { Logger } from '@ticketping/logger';
import { client, type ServiceMetrics } from '@ticketping/metrics';
import type { RedisClient } from '@ticketping/redis';
import type { GatewayConfig } from '../config.ts';
import { createCaps } from './caps.ts';

/** The gateway's own per-address caps beside the edge's rate limits, on the same Redis and error counter. */
export function createGatewayCaps({ config, redis, metrics, logger, edge }: { config: GatewayConfig; redis: RedisClient; metrics: ServiceMetrics; logger: Logger; edge: Edge }) {
  const capped = new client.Counter({ name: 'ticketping_gateway_capped_total', help: 'Entries and sign-ups refused with 429 by the per-address and per-range caps', labelNames: ['class', 'scope'] as const, registers: [metrics.registry] });
  return createCaps(redis, {
    keyPrefix: config.REDIS_KEY_PREFIX,
    windowSeconds: config.CAP_WINDOW_SECONDS,
    limits: {
      entry: { ip: config.CAP_ENTRIES_PER_IP, range: config.CAP_ENTRIES_PER_RANGE },
      signup: { ip: config.CAP_SIGNUPS_PER_IP, range: config.CAP_SIGNUPS_PER_RANGE },
    },
    redisTimeoutMs: config.RATE_LIMIT_REDIS_TIMEOUT_MS,
    logger,
    onLimited: (capClass, scope) => capped.inc({ class: capClass, scope }),
    onError: () => edge.limiterErrors.inc(),
  });
}
