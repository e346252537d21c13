import { createLogger } from '@ticketping/logger';
import { createMetrics } from '@ticketping/metrics';
import { listen, shutdownOnSignals } from '@ticketping/http';
import { createRedis } from '@ticketping/redis';
import { initTracing, traceFields } from '@ticketping/telemetry';
import { loadQueueConfig } from './config.ts';
import { createService } from './service.ts';

const config = loadQueueConfig();
initTracing({ serviceName: 'queue', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
const logger = createLogger({ service: 'queue', level: config.LOG_LEVEL, mixin: traceFields });
const metrics = createMetrics('queue');
const redis = createRedis({ url: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES });

const service = await createService({ config, logger, metrics, redis });
await service.start();
const server = await listen(service.app, config.PORT, config.HOST);
logger.info({ port: server.port }, 'queue listening');

shutdownOnSignals(logger, async () => {
  await server.close();
  await service.stop();
  await redis.quit();
});
