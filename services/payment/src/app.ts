import { pingDb, type Knex } from '@ticketping/db';
import { createHttpApp, type HttpApp, type ReadinessCheck } from '@ticketping/http';
import type { Logger } from '@ticketping/logger';
import type { ServiceMetrics } from '@ticketping/metrics';
import type { Idempotency } from '@ticketping/idempotency';
import { mountPaymentRoutes } from './payments/payments.routes.ts';
import type { Payments } from './payments/payments.service.ts';

export interface AppDeps {
  logger: Logger;
  metrics: ServiceMetrics;
  db: Knex;
  payments: Payments;
  idempotency: Idempotency;
  internalToken: string;
  readiness?: Record<string, ReadinessCheck>;
}

/** Payment's HTTP surface: the payment routes of docs/api.md behind the gateway's credential. */
export function createApp(deps: AppDeps): HttpApp {
  return createHttpApp({
    logger: deps.logger,
    metrics: deps.metrics,
    readiness: { db: () => pingDb(deps.db), ...deps.readiness },
    bodyLimit: '16kb',
    routes: (router) => mountPaymentRoutes(router, deps),
  });
}
