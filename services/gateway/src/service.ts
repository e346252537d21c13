import type { Logger } from '@ticketping/logger';
import type { ServiceMetrics } from '@ticketping/metrics';
import { createHttpApp, type HttpApp } from '@ticketping/http';
import type { RedisClient } from '@ticketping/redis';
import { cors, createEdge, securityHeaders } from '@ticketping/edge';
import { createAdmissionCheck } from './admission/admission-check.ts';
import type { GatewayConfig } from './config.ts';
import { pollPath } from './poll-path.ts';
import { createForwarding } from './proxy/forwarding.ts';
import { createUpstreams } from './proxy/upstreams.ts';
import { createGatewayCaps } from './rate-limit/limits.ts';
import { gatewayRoutes } from './routes.ts';
import type { ServiceKit } from '@ticketping/runtime';

export interface GatewayDeps {
  config: GatewayConfig;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Shared rate-limit counters (optional in effect: readiness never depends on it). */
  redis: RedisClient;
}

export interface GatewayService {
  app: HttpApp;
  start(): Promise<void>;
  /** Closes the connection pools to the services. */
  stop(): Promise<void>;
}

/** The gateway from its parts: the services behind it, who is calling, how often, and how each route is answered. */
export function createService({ config, logger, metrics, redis }: GatewayDeps): GatewayService {
  const upstreams = createUpstreams({
    urls: { auth: config.AUTH_URL, catalog: config.CATALOG_URL, queue: config.QUEUE_URL, booking: config.BOOKING_URL, payment: config.PAYMENT_URL, tickets: config.TICKETS_URL },
    connections: config.UPSTREAM_CONNECTIONS,
    connectTimeoutMs: config.UPSTREAM_CONNECT_TIMEOUT_MS,
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
  });
  const edge = createEdge({ config, redis, metrics, logger, metricPrefix: 'ticketping_gateway' });
  const { gate } = edge;
  const caps = createGatewayCaps({ config, redis, metrics, logger, edge });
  const forwarding = createForwarding({ config, upstreams, logger });

  const app = createHttpApp({
    logger,
    metrics,
    parseJson: false,
    startTraces: config.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined,
    // No Redis check: the rate limiter goes on with each replica's own count when Redis is down
    // (see the edge's rate-limiter.ts), so a Redis outage degrades the limits, never empties the Service. The
    // waiting room answers its own 503 (QUEUE_UNAVAILABLE, Retry-After) for the polls it cannot serve.
    readiness: {},
    trustProxy: config.TRUST_PROXY,
    // CORS is cheap when there is no Origin header; status polls are answered by the last step
    everyRequest: [securityHeaders(), cors(config.WEB_ORIGIN), pollPath(gate, forwarding)],
    routes: gatewayRoutes({ config, metrics, gate, caps, admission: createAdmissionCheck(config, upstreams), forwarding }),
  });

  return {
    app,
    async start() {},
    async stop() {
      edge.close();
      caps.close();
      await upstreams.close();
    },
  };
}

/** The service as main.ts and standalone run it: its clients from the kit. */
export function build(config: GatewayConfig, kit: ServiceKit): GatewayService {
  const redis = kit.redis({ url: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES });
  return createService({ config, logger: kit.logger, metrics: kit.metrics, redis });
}
