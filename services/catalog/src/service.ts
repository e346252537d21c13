import { enqueue, handleOnce, startOutboxRelay, type Bus, type BusEvent, type HandleResult, type OutboxRelay, type Subscription } from '@ticketping/bus';
import type { Knex } from '@ticketping/db';
import type { HttpApp } from '@ticketping/http';
import type { Logger } from '@ticketping/logger';
import type { ServiceMetrics } from '@ticketping/metrics';
import { createAccessCodeUseCases, type AccessCodeUseCases } from './access-codes/access-codes.service.ts';
import { createApp } from './app.ts';
import type { CatalogConfig } from './config.ts';
import { SCHEMA } from './migrate.ts';
import { createPerformanceUseCases, type PerformanceUseCases } from './performances/performances.service.ts';
import type { OutgoingEvent } from './performances/performance-events.ts';
import { applyCatalogEvent, CONSUMED_TOPICS, type Applied } from './seats/order-events.ts';
import { createSeatMapCache, type SeatMapCache } from './seats/seat-map-cache.ts';
import { createSeatMapSource } from './seats/seat-map-source.ts';

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
  const app = createApp({ logger, metrics, db, internalToken: config.INTERNAL_TOKEN, performances, accessCodes, seatMaps, now, readiness: { bus: () => bus.ready() }, redrive: bus.redrive?.bind(bus) });

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
