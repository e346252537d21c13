import type { Registry } from 'prom-client';
import type { Logger } from '@ticketping/logger';
import { createKafkaBus } from './kafka-bus.ts';
import { createMemoryBus } from './memory-bus.ts';
import { createRedisStreamsBus } from './redis-streams-bus.ts';
import type { Bus } from './types.ts';

export interface BusConfig {
  /** Kafka bootstrap servers; none means the in-memory bus (one process: standalone or a service alone). */
  brokers?: string[] | undefined;
  /**
   * Without Kafka: redis:// of the Redis whose streams carry the events between processes
   * (standalone mode). `clientId` then names this process's consumers: keep it stable across
   * restarts and unique per process.
   */
  redisUrl?: string | undefined;
  clientId: string;
  topicPrefix?: string | undefined;
  logger: Logger;
  metrics?: Registry;
}

/**
 * The bus a service's configuration asks for: Kafka when brokers are given, else Redis Streams
 * when a Redis url is given, else in memory (one process alone).
 */
export function createBus({ brokers, redisUrl, clientId, topicPrefix, logger, metrics }: BusConfig): Bus {
  if (brokers?.length) return createKafkaBus({ clientId, brokers, logger, ...(topicPrefix ? { topicPrefix } : {}), ...(metrics ? { metrics } : {}) });
  if (redisUrl) return createRedisStreamsBus({ url: redisUrl, consumerName: clientId, logger, ...(topicPrefix ? { topicPrefix } : {}), ...(metrics ? { metrics } : {}) });
  return createMemoryBus({ logger, ...(metrics ? { metrics } : {}) });
}
