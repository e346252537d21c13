import { createDb } from '@ticketping/db';
import { createLogger } from '@ticketping/logger';
import { createMetrics } from '@ticketping/metrics';
import { createRedis } from '@ticketping/redis';
import { serve } from '@ticketping/runtime';
import { initTracing, traceFields } from '@ticketping/telemetry';
import { loadAuthConfig } from './config.ts';
import { SCHEMA } from './migrate.ts';
import { createService } from './service.ts';
import { configOrExit } from '@ticketping/config';

const config = configOrExit(loadAuthConfig);
initTracing({ serviceName: 'auth', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
const logger = createLogger({ service: 'auth', level: config.LOG_LEVEL, mixin: traceFields });
const db = createDb({ url: config.DATABASE_URL, schema: SCHEMA });
const redis = createRedis({ url: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES });

const service = createService({ config, logger, metrics: createMetrics('auth'), db, redis });
await serve('auth', service, { port: config.PORT, managementPort: config.MANAGEMENT_PORT, host: config.HOST, logger, closeClients: [() => db.destroy(), () => redis.disconnect()] });
