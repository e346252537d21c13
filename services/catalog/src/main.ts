import { createKafkaBus, createMemoryBus } from '@ticketping/bus';
import { createDb } from '@ticketping/db';
import { listen, shutdownOnSignals } from '@ticketping/http';
import { createLogger } from '@ticketping/logger';
import { createMetrics } from '@ticketping/metrics';
import { initTracing, shutdownTracing, traceFields } from '@ticketping/telemetry';
import { loadConfig } from './config.ts';
import { SCHEMA } from './migrate.ts';
import { createService } from './service.ts';

const config = loadConfig();
initTracing({ serviceName: 'catalog', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
const logger = createLogger({ service: 'catalog', level: config.LOG_LEVEL, mixin: traceFields });
const metrics = createMetrics('catalog');
const db = createDb({ url: config.DATABASE_URL, schema: SCHEMA, poolMax: config.DATABASE_POOL_MAX });
const bus = config.KAFKA_BROKERS?.length
  ? createKafkaBus({ clientId: config.KAFKA_CLIENT_ID, brokers: config.KAFKA_BROKERS, logger, metrics: metrics.registry })
  : createMemoryBus({ logger, metrics: metrics.registry });

const service = createService({ config, logger, metrics, db, bus });
await service.start();
const server = await listen(service.app, config.PORT, config.HOST);
logger.info({ port: server.port }, 'catalog listening');

shutdownOnSignals(logger, async () => {
  await server.close();
  await service.stop();
  await bus.close();
  await db.destroy();
  await shutdownTracing();
});
