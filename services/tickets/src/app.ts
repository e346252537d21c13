import { pingDb, type Knex } from '@ticketping/db';
import { createHttpApp, type HttpApp, type ReadinessCheck } from '@ticketping/http';
import type { Logger } from '@ticketping/logger';
import type { ServiceMetrics } from '@ticketping/metrics';
import { mountCheckInRoutes } from './check-in/check-in.routes.ts';
import type { CheckInService } from './check-in/check-in.service.ts';
import type { Staff } from './staff/staff.service.ts';
import { mountTicketRoutes } from './tickets/tickets.routes.ts';
import type { Tickets } from './tickets/tickets.service.ts';

export interface AppDeps {
  logger: Logger;
  metrics: ServiceMetrics;
  db: Knex;
  tickets: Tickets;
  checkIn: CheckInService;
  staff: Staff;
  jwks: () => Promise<unknown>;
  internalToken: string;
  maxScansPerSync: number;
  readiness?: Record<string, ReadinessCheck>;
}

/** The tickets service's HTTP surface (docs/openapi.yaml, tags Tickets and Check-in) behind the gateway's credential. */
export function createApp(deps: AppDeps): HttpApp {
  return createHttpApp({
    logger: deps.logger,
    metrics: deps.metrics,
    readiness: { db: () => pingDb(deps.db), ...deps.readiness },
    // A sync of 500 scans of ~200-byte codes, with room to spare.
    bodyLimit: '512kb',
    routes: (router) => {
      mountTicketRoutes(router, deps);
      mountCheckInRoutes(router, deps);
    },
  });
}
