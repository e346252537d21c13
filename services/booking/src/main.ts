import { createBus } from '@ticketping/bus';
import { createDb } from '@ticketping/db';
import { createLogger } from '@ticketping/logger';
import { createMetrics } from '@ticketping/metrics';
import { serve } from '@ticketping/runtime';
import { initTracing, traceFields } from '@ticketping/telemetry';
import { loadBookingConfig } from './config.ts';
import { SCHEMA } from './orders/orders.events.ts';
import { createService } from './service.ts';

const config = loadBookingConfig();
initTracing({ serviceName: 'booking', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
const logger = createLogger({ service: 'booking', level: config.LOG_LEVEL, mixin: traceFields });
const metrics = createMetrics('booking');
const db = createDb({ url: config.DATABASE_URL, schema: SCHEMA, poolMax: config.DATABASE_POOL_MAX });
const bus = createBus({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID, topicPrefix: config.KAFKA_TOPIC_PREFIX, logger, metrics: metrics.registry });

const service = createService({ config, logger, metrics, db, bus });
await serve('booking', service, { port: config.PORT, managementPort: config.MANAGEMENT_PORT, host: config.HOST, logger, closeClients: [() => bus.close(), () => db.destroy()] });
