import type { Knex } from '@ticketping/db';
import { pingDb } from '@ticketping/db';
import { createHttpApp, type HttpApp, type ReadinessCheck } from '@ticketping/http';
import type { Logger } from '@ticketping/logger';
import type { ServiceMetrics } from '@ticketping/metrics';
import type { Idempotency } from '@ticketping/idempotency';
import { mountOrderRoutes } from './orders/orders.routes.ts';
import type { Orders } from './orders/orders.service.ts';
import { mountSalesRoutes } from './sales/sales.routes.ts';
import { mountWaitlistRoutes } from './waitlist/waitlist.routes.ts';
import type { Waitlist } from './waitlist/waitlist.service.ts';

export interface AppDeps {
  logger: Logger;
  metrics: ServiceMetrics;
  db: Knex;
  orders: Orders;
  waitlist: Waitlist;
  idempotency: Idempotency;
  internalToken: string;
  readiness?: Record<string, ReadinessCheck>;
}

/** Booking's HTTP surface: the order and waitlist routes of docs/api.md behind the gateway's credential. */
export function createApp(deps: AppDeps): HttpApp {
  return createHttpApp({
    logger: deps.logger,
    metrics: deps.metrics,
    readiness: { db: () => pingDb(deps.db), ...deps.readiness },
    bodyLimit: '16kb',
    routes: (router) => {
      mountOrderRoutes(router, deps);
      mountWaitlistRoutes(router, deps);
      mountSalesRoutes(router, deps);
    },
  });
}
