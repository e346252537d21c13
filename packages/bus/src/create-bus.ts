import type { Registry } from 'prom-client';
import type { Logger } from '@ticketping/logger';
import { createKafkaBus } from './kafka-bus.ts';
import { createMemoryBus } from './memory-bus.ts';
import type { Bus } from './types.ts';

export interface BusConfig {
  /** Kafka bootstrap servers; none means the in-memory bus (one process: standalone or a service alone). */
  brokers?: string[] | undefined;
  clientId: string;
  topicPrefix?: string | undefined;
  logger: Logger;
  metrics?: Registry;
}

/** The bus a service's configuration asks for: Kafka when brokers are given, in memory otherwise. */
export function createBus({ brokers, clientId, topicPrefix, logger, metrics }: BusConfig): Bus {
  if (brokers?.length) return createKafkaBus({ clientId, brokers, logger, ...(topicPrefix ? { topicPrefix } : {}), ...(metrics ? { metrics } : {}) });
  return createMemoryBus({ logger, ...(metrics ? { metrics } : {}) });
}
