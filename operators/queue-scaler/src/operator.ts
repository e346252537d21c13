/**
 * Wires the operator together: a QueueScaler watch on every instance (a warm cache for a fast
 * takeover), a work queue that runs only on the Lease holder, and the health/metrics server.
 */
import { createHttpApp, listen } from '@ticketping/http';
import type { Logger } from '@ticketping/logger';
import { defaultRedisConnection, type OperatorConfig } from './config.ts';
import { createAdmission } from './admission.ts';
import { createController } from './controller.ts';
import { createQueueClient } from './queue-client.ts';
import { createRedisConnections } from './redis-connections.ts';
import { createKube, loadKubeConfig } from './kube.ts';
import { startLeaderElection } from './leader-election.ts';
import { createOperatorMetrics } from './operator-metrics.ts';

export interface RunningOperator {
  port: number;
  isLeader(): boolean;
  /** Stops reconciling, releases the Lease, closes every connection. */
  stop(): Promise<void>;
}

export async function startOperator(config: OperatorConfig, logger: Logger, onLostLeadership: () => void): Promise<RunningOperator> {
  const kube = createKube(loadKubeConfig(config.KUBECONFIG), logger);
  const redis = createRedisConnections({
    defaultConnection: defaultRedisConnection(config),
    named: config.REDIS_CONNECTIONS,
    logger,
  });
  const metrics = createOperatorMetrics();
  const clock = { now: () => Date.now() };
  const queue = config.QUEUE_URL && config.INTERNAL_TOKEN
    ? createQueueClient({ baseUrl: config.QUEUE_URL, internalToken: config.INTERNAL_TOKEN, timeoutMs: config.HTTP_CLIENT_TIMEOUT_MS })
    : undefined;
  const admission = createAdmission({ redis, queue, logger, clock, timeoutMs: config.HTTP_CLIENT_TIMEOUT_MS, listPods: kube.listPods });
  const controller = createController({
    admission,
    kube, redis, metrics, logger,
    identity: config.POD_NAME,
    clock,
    redisTimeoutMs: config.REDIS_TIMEOUT_MS,
    workers: config.RECONCILE_WORKERS,
    scrapeTimeoutMs: config.HTTP_CLIENT_TIMEOUT_MS,
  });
  const watch = kube.watchQueueScalers(config.WATCH_NAMESPACE || undefined, controller);
  controller.setWatch(watch);

  const app = createHttpApp({
    logger,
    metrics: metrics.service,
    routes: () => undefined,
    // Nothing public here: the one port is operational (chart: http-metrics, probes).
    operationalRoutesOnMainPort: true,
    // Readiness never depends on leadership: a standby is ready to take over.
    readiness: { queueScalerWatch: async () => { if (!watch.synced()) throw new Error('QueueScalers not listed yet'); } },
  });
  const server = await listen(app, config.HTTP_PORT, config.HTTP_HOST);

  const elector = startLeaderElection({
    store: kube.leaseStore(config.LEASE_NAMESPACE, config.LEASE_NAME),
    identity: config.POD_NAME,
    leaseDurationMs: config.LEASE_DURATION_MS,
    renewDeadlineMs: config.RENEW_DEADLINE_MS,
    retryPeriodMs: config.RETRY_PERIOD_MS,
    logger,
    onStartedLeading: () => { metrics.isLeader.set(1); controller.start(); },
    onStoppedLeading: () => {
      metrics.isLeader.set(0);
      void controller.stop().finally(onLostLeadership);
    },
  });
  logger.info({ port: server.port, identity: config.POD_NAME, namespace: config.WATCH_NAMESPACE || '(all)' }, 'queue-scaler started');

  return {
    port: server.port,
    isLeader: elector.isLeader,
    async stop() {
      await controller.stop();
      await elector.stop();
      metrics.isLeader.set(0);
      await watch.stop();
      redis.disconnectAll();
      await server.close(2000);
    },
  };
}
