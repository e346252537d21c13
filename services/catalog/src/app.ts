import { pingDb, type Knex } from '@ticketping/db';
import { createHttpApp, requireInternalCaller, type HttpApp, type ReadinessCheck } from '@ticketping/http';
import type { Logger } from '@ticketping/logger';
import type { ServiceMetrics } from '@ticketping/metrics';
import { accessCodeRoutes } from './access-codes/access-codes.routes.ts';
import type { AccessCodeUseCases } from './access-codes/access-codes.service.ts';
import { deadLetterRoutes, type Redrive } from './dead-letters/dead-letters.routes.ts';
import { performanceRoutes } from './performances/performances.routes.ts';
import type { PerformanceUseCases } from './performances/performances.service.ts';
import type { SeatMapCache } from './seats/seat-map-cache.ts';
import { seatRoutes } from './seats/seats.routes.ts';

export interface AppDeps {
  logger: Logger;
  metrics: ServiceMetrics;
  db: Knex;
  internalToken: string;
  performances: PerformanceUseCases;
  accessCodes: AccessCodeUseCases;
  seatMaps: SeatMapCache;
  now: () => Date;
  readiness?: Record<string, ReadinessCheck>;
  /** The bus's redrive, for the admin endpoint (absent: 501). */
  redrive?: Redrive | undefined;
}

/** The HTTP surface: every route needs the gateway's internal token; no I/O happens here. */
export function createApp({ logger, metrics, db, internalToken, performances, accessCodes, seatMaps, now, readiness = {}, redrive }: AppDeps): HttpApp {
  return createHttpApp({
    logger,
    metrics,
    // A performance body lists sections, not seats, so it stays small.
    bodyLimit: '256kb',
    readiness: { db: () => pingDb(db), ...readiness },
    routes: (router) => {
      router.use(requireInternalCaller(internalToken));
      performanceRoutes(router, { performances, now });
      accessCodeRoutes(router, { accessCodes });
      seatRoutes(router, { seatMaps });
      deadLetterRoutes(router, { redrive, logger });
    },
  });
}
