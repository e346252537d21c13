import { createKafkaBus, createMemoryBus } from '@ticketping/bus';
import { createLogger } from '@ticketping/logger';
import { createMetrics } from '@ticketping/metrics';
import { listenBoth, shutdownOnSignals } from '@ticketping/http';
import { createRedis } from '@ticketping/redis';
import { initTracing, shutdownTracing, traceFields } from '@ticketping/telemetry';
import { loadQueueConfig } from './config.ts';
import { createService } from './service.ts';
import { configOrExit } from '@ticketping/config';

const config = configOrExit(loadQueueConfig);
initTracing({ serviceName: 'queue', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
const logger = createLogger({ service: 'queue', level: config.LOG_LEVEL, mixin: traceFields });
const metrics = createMetrics('queue');
const redis = createRedis({ url: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES });

// without Kafka nothing else publishes into this process's memory bus: alone, the queue learns of
// performances only through PUT /internal/v1/queues/{id} (standalone hands every service one shared bus)
const bus = config.KAFKA_BROKERS?.length
  ? createKafkaBus({ clientId: config.KAFKA_CLIENT_ID, brokers: config.KAFKA_BROKERS, topicPrefix: config.KAFKA_TOPIC_PREFIX, logger, metrics: metrics.registry })
  : createMemoryBus({ logger, metrics: metrics.registry });

const service = await createService({ config, logger, metrics, redis, bus });
await service.start();
const server = await listenBoth(service.app, { port: config.PORT, managementPort: config.MANAGEMENT_PORT, host: config.HOST });
logger.info({ port: server.public.port, managementPort: server.management.port }, 'queue listening');

shutdownOnSignals(logger, async () => {
  await server.close();
  await service.stop();
  await bus.close();
  await redis.quit();
  await shutdownTracing();
});
