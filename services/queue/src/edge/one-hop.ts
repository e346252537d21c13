import { ONE_HOP_ROUTES, createEdge, oneHopEdge } from '@ticketping/edge';
import type { Logger } from '@ticketping/logger';
import type { ServiceMetrics } from '@ticketping/metrics';
import type { RedisClient } from '@ticketping/redis';
import type { RequestStep } from '@ticketping/http';
import type { QueueConfig } from '../config.ts';

/**
 * The gateway's steps for a fan's own entry (status polls and leaving), applied here when the
 * ingress sends those requests straight to the queue (QUEUE_ONE_HOP): the access token, the
 * shared rate limits (the gateway's counters in the same Redis), the security and CORS headers.
 */
export function createOneHop({ config, redis, metrics, logger }: { config: QueueConfig; redis: RedisClient; metrics: ServiceMetrics; logger: Logger }): { step: RequestStep; close(): void } {
  const edge = createEdge({ config, redis, metrics, logger, metricPrefix: 'ticketping_queue_edge' });
  return {
    step: oneHopEdge({ routes: Object.values(ONE_HOP_ROUTES), gate: edge.gate, internalToken: config.INTERNAL_TOKEN, webOrigins: config.WEB_ORIGIN }),
    close: edge.close,
  };
}
