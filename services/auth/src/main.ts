import { createDb } from '@ticketping/db';
import { listen, shutdownOnSignals } from '@ticketping/http';
import { createLogger } from '@ticketping/logger';
import { createMetrics } from '@ticketping/metrics';
import { createRedis } from '@ticketping/redis';
import { initTracing, shutdownTracing, traceFields } from '@ticketping/telemetry';
import { loadAuthConfig } from './config.ts';
import { SCHEMA } from './migrate.ts';
import { createService } from './service.ts';

const config = loadAuthConfig();
initTracing({ serviceName: 'auth', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
const logger = createLogger({ service: 'auth', level: config.LOG_LEVEL, mixin: traceFields });
const metrics = createMetrics('auth');
const db = createDb({ url: config.DATABASE_URL, schema: SCHEMA });
const redis = createRedis({ url: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES });

const service = createService({ config, logger, metrics, db, redis });
await service.start();
const server = await listen(service.app, config.PORT, config.HOST);
logger.info({ port: server.port }, 'auth listening');

shutdownOnSignals(logger, async () => {
  await server.close();
  await service.stop();
  await db.destroy();
  redis.disconnect();
  await shutdownTracing();
});
