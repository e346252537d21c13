import type { Bus, Subscription } from '@ticketping/bus';
import type { Logger } from '@ticketping/logger';
import type { ServiceMetrics } from '@ticketping/metrics';
import { createHttpApp, type HttpApp } from '@ticketping/http';
import { leanRoutes } from '@ticketping/http/fast-path';
import type { RedisClient } from '@ticketping/redis';
import { createAccessCodeClient, type AccessCodes } from './access-codes/access-code-client.ts';
import { createAdmissionLoop, type AdmissionLoop } from './admission/admission-loop.ts';
import { createTickerRing, tickerTtlMs } from './admission/ticker-ring.ts';
import type { QueueConfig } from './config.ts';
import { createOneHop } from './edge/one-hop.ts';
import { createEventHandler, QUEUE_TOPICS, type EventHandler } from './events/handle-event.ts';
import { createProofOfWorkMetrics, createQueueMetrics } from './metrics.ts';
import { createQueueStore, type QueueStore, type QueueTuning } from './redis/queue-store.ts';
import { createCatalogReader, type CatalogReader } from './rebuild/catalog-reader.ts';
import { rebuildQueues, type RebuildResult } from './rebuild/rebuild-queues.ts';
import { runPeriodically, type Periodic } from '@ticketping/runtime';
import { loadSigningKeys } from '@ticketping/auth-tokens';
import { waitingRoomRoutes } from './waiting-room/waiting-room.routes.ts';
import { createWaitingRoom, type WaitingRoom } from './waiting-room/waiting-room.service.ts';
import { derivedHmacKey } from '@ticketping/proof-of-work';
import { createProofOfWork, type ProofOfWork } from './proof-of-work/proof-of-work.service.ts';
import type { ServiceKit } from '@ticketping/runtime';
import { createQueueTimeline, sampleEveryMinute } from './timeline/queue-timeline.ts';
import { timelineRoutes } from './timeline/timeline.routes.ts';

export interface QueueDeps {
  config: QueueConfig;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Connected; the caller closes it. */
  redis: RedisClient;
  /** Consumes catalog and booking events. Unset: no consumer (tests drive `handleEvent` directly). */
  bus?: Bus;
  /** Where lost queues are rebuilt from; defaults to catalog's API at CATALOG_URL. */
  catalog?: CatalogReader;
  /** Where access codes are redeemed; defaults to catalog's internal API at CATALOG_URL. */
  accessCodes?: AccessCodes;
}

export interface QueueService {
  app: HttpApp;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The bus consumer, exposed so tests and standalone can feed events directly. */
  handleEvent: EventHandler;
  admission: AdmissionLoop;
  room: WaitingRoom;
  store: QueueStore;
  proofOfWork: ProofOfWork;
  /** One pass of the rebuild from catalog (start() runs it now and then periodically). */
  rebuild(): Promise<RebuildResult>;
}

export function tuningFrom(config: QueueConfig): QueueTuning {
  return {
    activeWindowMs: config.QUEUE_ACTIVE_WINDOW_SECONDS * 1000,
    maxActiveMs: config.QUEUE_MAX_ACTIVE_SECONDS * 1000,
    graceMs: config.QUEUE_GRACE_SECONDS * 1000,
    minPollMs: config.QUEUE_MIN_POLL_MS,
    maxPollMs: config.QUEUE_MAX_POLL_MS,
    pollBudgetPerSecond: config.QUEUE_POLL_BUDGET_PER_SECOND,
    maxLineFactor: config.QUEUE_MAX_LINE_FACTOR,
    presenceWindowMs: config.QUEUE_PRESENCE_WINDOW_SECONDS * 1000,
    maxAdmitPerTick: config.QUEUE_MAX_ADMIT_PER_TICK,
    sweepBatch: config.QUEUE_SWEEP_BATCH,
    preQueueChunk: config.QUEUE_PRE_QUEUE_CHUNK,
    outcomeTtlMs: config.QUEUE_OUTCOME_TTL_SECONDS * 1000,
    retainMs: config.QUEUE_RETAIN_SECONDS * 1000,
  };
}

/** The waiting room: HTTP routes, the admission loop and the event consumer over one Redis. */
export async function createService(deps: QueueDeps): Promise<QueueService> {
  const { config, logger, metrics, redis, bus } = deps;
  const keys = await loadSigningKeys(config.QUEUE_SIGNING_KEY, config.QUEUE_TOKEN_ISSUER, { setting: 'QUEUE_SIGNING_KEY', logger });
  const store = createQueueStore(redis, tuningFrom(config));
  const ring = config.QUEUE_TICKERS === 'ring' ? createTickerRing(redis, { ttlMs: tickerTtlMs(config.QUEUE_TICK_MS) }) : undefined;
  const admission = createAdmissionLoop({ store, metrics: createQueueMetrics(metrics.registry), logger, tickMs: config.QUEUE_TICK_MS, ...(ring ? { ring } : {}) });
  const proofOfWork = createProofOfWork(redis, {
    hmacKey: config.QUEUE_POW_HMAC_KEY ?? derivedHmacKey(config.INTERNAL_TOKEN),
    defaultMaxNumber: config.QUEUE_POW_MAX_NUMBER,
    ttlSeconds: config.QUEUE_POW_TTL_SECONDS,
    rangeStep: config.QUEUE_POW_RANGE_STEP,
    rangeWindowMs: config.QUEUE_POW_RANGE_WINDOW_SECONDS * 1000,
    maxDoublings: config.QUEUE_POW_MAX_DOUBLINGS,
  }, Date.now, createProofOfWorkMetrics(metrics.registry));
  const accessCodes = deps.accessCodes ?? createAccessCodeClient({ baseUrl: config.CATALOG_URL, internalToken: config.INTERNAL_TOKEN });
  const room = createWaitingRoom({ store, signer: keys.signer, admission, accessCodes, proofOfWork });
  const handleEvent = createEventHandler({ store, admission, logger });
  const catalog = deps.catalog ?? createCatalogReader({ baseUrl: config.CATALOG_URL, internalToken: config.INTERNAL_TOKEN });
  const rebuild = () => rebuildQueues({ store, catalog, logger });

  const http = waitingRoomRoutes({ room, store, proofOfWork, internalToken: config.INTERNAL_TOKEN, jwks: keys.jwks });
  const timeline = createQueueTimeline({ redis, store });
  const timelineHttp = timelineRoutes({ timeline, redis, internalToken: config.INTERNAL_TOKEN });
  const oneHop = config.QUEUE_ONE_HOP ? createOneHop({ config, redis, metrics, logger }) : undefined;
  const app = createHttpApp({
    logger,
    metrics,
    // Redis is not a readiness check: every replica shares the one Redis, so taking them all out
    // of the Service would only swap the queue's own clear 503 (QUEUE_UNAVAILABLE, Retry-After)
    // for a refused connection at the gateway.
    readiness: { ...(bus ? { bus: () => bus.ready() } : {}) },
    routes: (router) => { http.routes(router); timelineHttp(router); },
    trustProxy: config.TRUST_PROXY,
    // status polls and the public summary: one step ahead of the body parser and the router; with
    // one hop, a fan's own requests first pass the edge's steps
    everyRequest: [...(oneHop ? [oneHop.step] : []), leanRoutes(http.lean)],
    // a root span per poll that is exported nowhere is pure cost; calls carrying a traceparent are still traced
    startTraces: config.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined,
  });

  let subscription: Subscription | undefined;
  let rebuilding: Periodic | undefined;
  let sampling: Periodic | undefined;
  return {
    app,
    handleEvent,
    admission,
    room,
    store,
    proofOfWork,
    rebuild,
    async start() {
      admission.start();
      if (bus) subscription = await bus.subscribe({ group: 'queue', topics: QUEUE_TOPICS, handle: (event) => handleEvent(event) });
      // not awaited: a catalog that is down at start must not keep the waiting room from serving
      rebuilding = runPeriodically('queue-rebuild', config.QUEUE_REBUILD_INTERVAL_MS, logger, rebuild);
      rebuilding.wake();
      sampling = sampleEveryMinute(timeline, logger);
    },
    async stop() {
      await sampling?.stop();
      await rebuilding?.stop();
      rebuilding = undefined;
      await subscription?.stop();
      subscription = undefined;
      await admission.stop();
      oneHop?.close();
    },
  };
}

/**
 * The service as main.ts and standalone run it: its clients from the kit. Without Kafka nothing else
 * publishes into this process's memory bus: alone, the queue learns of performances only through
 * PUT /internal/v1/queues/{id} (standalone's processes share one bus on Redis Streams).
 */
export function build(config: QueueConfig, kit: ServiceKit): Promise<QueueService> {
  const redis = kit.redis({ url: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES });
  const bus = kit.bus({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID, topicPrefix: config.KAFKA_TOPIC_PREFIX });
  return createService({ config, logger: kit.logger, metrics: kit.metrics, redis, bus });
}
