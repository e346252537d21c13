import { createBus } from '@ticketping/bus';
import { createDb } from '@ticketping/db';
import { createLogger } from '@ticketping/logger';
import { createMetrics } from '@ticketping/metrics';
import { createRedis } from '@ticketping/redis';
import { serve } from '@ticketping/runtime';
import { initTracing, traceFields } from '@ticketping/telemetry';
import { loadBookingConfig } from './config.ts';
import { SCHEMA } from './orders/orders.events.ts';
import { createService } from './service.ts';
import { configOrExit } from '@ticketping/config';

const config = configOrExit(loadBookingConfig);
initTracing({ serviceName: 'booking', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
const logger = createLogger({ service: 'booking', level: config.LOG_LEVEL, mixin: traceFields });
const metrics = createMetrics('booking');
const db = createDb({ url: config.DATABASE_URL, schema: SCHEMA, poolMax: config.DATABASE_POOL_MAX });
const bus = createBus({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID, topicPrefix: config.KAFKA_TOPIC_PREFIX, logger, metrics: metrics.registry });

const queueRedis = createRedis({ url: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES });
let warnedAt = 0;
queueRedis.on('error', (error: Error) => {
  // ioredis reports every failed reconnection attempt: one line per 10 s tells the story
  if (Date.now() - warnedAt < 10_000) return;
  warnedAt = Date.now();
  logger.warn({ err: error }, 'the waiting room\'s Redis is out of reach: new orders get 503 until it is back');
});

const service = createService({ config, logger, metrics, db, bus, queueRedis });
await serve('booking', service, { port: config.PORT, managementPort: config.MANAGEMENT_PORT, host: config.HOST, logger, closeClients: [() => bus.close(), () => db.destroy(), async () => { await queueRedis.quit(); }] });
