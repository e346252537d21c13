import { createBus } from '@ticketping/bus';
import { createDb } from '@ticketping/db';
import { createLogger } from '@ticketping/logger';
import { createMetrics } from '@ticketping/metrics';
import { serve } from '@ticketping/runtime';
import { initTracing, traceFields } from '@ticketping/telemetry';
import { loadPaymentConfig } from './config.ts';
import { SCHEMA } from './payments/payments.events.ts';
import { createService } from './service.ts';
import { configOrExit } from '@ticketping/config';

const config = configOrExit(loadPaymentConfig);
initTracing({ serviceName: 'payment', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
const logger = createLogger({ service: 'payment', level: config.LOG_LEVEL, mixin: traceFields });
const metrics = createMetrics('payment');
const db = createDb({ url: config.DATABASE_URL, schema: SCHEMA, poolMax: config.DATABASE_POOL_MAX });
const bus = createBus({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID, topicPrefix: config.KAFKA_TOPIC_PREFIX, logger, metrics: metrics.registry });

const service = createService({ config, logger, metrics, db, bus });
await serve('payment', service, { port: config.PORT, managementPort: config.MANAGEMENT_PORT, host: config.HOST, logger, closeClients: [() => bus.close(), () => db.destroy()] });
