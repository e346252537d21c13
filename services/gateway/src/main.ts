import { listenBoth, shutdownOnSignals } from '@ticketping/http';
import { createLogger } from '@ticketping/logger';
import { createMetrics } from '@ticketping/metrics';
import { createRedis } from '@ticketping/redis';
import { initTracing, shutdownTracing, traceFields } from '@ticketping/telemetry';
import { loadGatewayConfig } from './config.ts';
import { createService } from './service.ts';
import { configOrExit } from '@ticketping/config';

const config = configOrExit(loadGatewayConfig);
initTracing({ serviceName: 'gateway', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
const logger = createLogger({ service: 'gateway', level: config.LOG_LEVEL, mixin: traceFields });
const metrics = createMetrics('gateway');
const redis = createRedis({ url: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES });

const service = createService({ config, logger, metrics, redis });
await service.start();
const server = await listenBoth(service.app, { port: config.PORT, managementPort: config.MANAGEMENT_PORT, host: config.HOST });
logger.info({ port: server.public.port, managementPort: server.management.port }, 'gateway listening');

shutdownOnSignals(logger, async () => {
  await server.close();
  await service.stop();
  redis.disconnect();
  await shutdownTracing();
});
