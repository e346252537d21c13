import { enqueue, handleOnce, startOutboxRelay, type Bus, type BusEvent, type HandleResult, type OutboxRelay, type Subscription } from '@ticketping/bus';
import { pingDb, type Knex } from '@ticketping/db';
import { createHttpApp, requireInternalCaller, type HttpApp } from '@ticketping/http';
import type { Logger } from '@ticketping/logger';
import type { ServiceMetrics } from '@ticketping/metrics';
import { accessCodeRoutes } from './access-codes/access-codes.routes.ts';
import { createAccessCodeUseCases, type AccessCodeUseCases } from './access-codes/access-codes.service.ts';
import { deadLetterRoutes } from './dead-letters/dead-letters.routes.ts';
import type { CatalogConfig } from './config.ts';
import { SCHEMA } from './migrate.ts';
import { performanceRoutes } from './performances/performances.routes.ts';
import { createPerformanceUseCases, type PerformanceUseCases } from './performances/performances.service.ts';
import type { OutgoingEvent } from './performances/performance-events.ts';
import { applyCatalogEvent, CONSUMED_TOPICS, type Applied } from './seats/order-events.ts';
import { createSeatMapCache, type SeatMapCache } from './seats/seat-map-cache.ts';
import { createSeatMapSource } from './seats/seat-map-source.ts';
import { seatRoutes } from './seats/seats.routes.ts';
import type { ServiceKit } from '@ticketping/runtime';

/** Consumer group and inbox name (docs/events.md). */
export const CONSUMER = 'catalog';

export interface ServiceDeps {
  config: Pick<CatalogConfig, 'INTERNAL_TOKEN' | 'OUTBOX_POLL_MS' | 'SEAT_MAP_TTL_MS'>;
  logger: Logger;
  metrics: ServiceMetrics;
  /** knex on catalog's database, `catalog` first on the search path; migrated already. */
  db: Knex;
  bus: Bus;
  now?: () => Date;
}

export interface CatalogService {
  app: HttpApp;
  performances: PerformanceUseCases;
  accessCodes: AccessCodeUseCases;
  seatMaps: SeatMapCache;
  /** Applies one consumed event exactly once (the bus handler; tests call it directly). */
  handleEvent(event: BusEvent): Promise<HandleResult>;
  /** Starts the outbox relay and the consumer of booking's events. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createService({ config, logger, metrics, db, bus, now = () => new Date() }: ServiceDeps): CatalogService {
  const seatMaps = createSeatMapCache({ load: createSeatMapSource(db), ttlMs: config.SEAT_MAP_TTL_MS });
  const performances = createPerformanceUseCases({
    db,
    now,
    enqueue: async (trx, event) => {
      await enqueue<OutgoingEvent['payload']>(trx, SCHEMA, event);
    },
  });
  const accessCodes = createAccessCodeUseCases({ db, now });
  const redrive = bus.redrive?.bind(bus);
  // Every route needs the gateway's internal token.
  const app = createHttpApp({
    logger,
    metrics,
    // A performance body lists sections, not seats, so it stays small.
    bodyLimit: '256kb',
    readiness: { db: () => pingDb(db), bus: () => bus.ready() },
    routes: (router) => {
      router.use(requireInternalCaller(config.INTERNAL_TOKEN));
      performanceRoutes(router, { performances, now });
      accessCodeRoutes(router, { accessCodes });
      seatRoutes(router, { seatMaps });
      // Without a redrive (a bus that has none) the admin endpoint answers 501.
      deadLetterRoutes(router, { redrive, logger });
    },
  });

  async function handleEvent(event: BusEvent): Promise<HandleResult> {
    let applied: Applied = {};
    const result = await handleOnce(db, SCHEMA, CONSUMER, event, async (trx) => {
      applied = await applyCatalogEvent(trx, event);
    });
    // After the commit: a rebuild now reads the new status.
    if (applied.scheduleId) seatMaps.invalidate(applied.scheduleId);
    return result;
  }

  let relay: OutboxRelay | undefined;
  let subscription: Subscription | undefined;
  return {
    app,
    performances,
    accessCodes,
    seatMaps,
    handleEvent,
    async start() {
      relay = startOutboxRelay({ knex: db, schema: SCHEMA, bus, logger, pollIntervalMs: config.OUTBOX_POLL_MS, metrics: metrics.registry });
      subscription = await bus.subscribe({ group: CONSUMER, topics: CONSUMED_TOPICS, handle: handleEvent });
    },
    async stop() {
      await subscription?.stop();
      await relay?.stop();
      subscription = undefined;
      relay = undefined;
    },
  };
}

/** The service as main.ts and standalone run it: its clients from the kit. */
export async function build(config: CatalogConfig, kit: ServiceKit): Promise<CatalogService> {
  const db = await kit.db({ url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX });
  const bus = kit.bus({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID, topicPrefix: config.KAFKA_TOPIC_PREFIX });
  return createService({ config, logger: kit.logger, metrics: kit.metrics, db, bus });
}
