import { hkdfSync } from 'node:crypto';
import { startOutboxRelay, type Bus, type BusEvent, type HandleResult, type OutboxRelay, type Subscription } from '@ticketping/bus';
import { pingDb, type Knex } from '@ticketping/db';
import { createHttpApp, type HttpApp } from '@ticketping/http';
import type { Logger } from '@ticketping/logger';
import type { ServiceMetrics } from '@ticketping/metrics';
import type { PaymentConfig } from './config.ts';
import { CONSUMED_TOPICS, CONSUMER, createEventHandler } from './events.ts';
import { createIdempotency } from '@ticketping/idempotency';
import { createPaymentMetrics } from './payment-metrics.ts';
import { SCHEMA } from './payments/payments.events.ts';
import { mountPaymentRoutes } from './payments/payments.routes.ts';
import { createPayments, type Payments } from './payments/payments.service.ts';
import { createOrderReconciliation, type OrderReconciliation } from './payments/order-reconciliation.ts';
import { createSettlement, type Settlement } from './payments/settlement.ts';
import { knexSettlementStore } from './payments/settlement.repo.ts';
import { createReturnRefunds } from './payments/return-refunds.ts';
import { runPeriodically, type Periodic } from '@ticketping/runtime';
import { createProvider } from './provider/create-provider.ts';
import { createBookingReader } from './order-copy/booking-reader.ts';
import { guardProvider } from './provider/guarded-provider.ts';
import type { PaymentProvider } from './provider/provider.ts';
import type { ServiceKit } from '@ticketping/runtime';

export interface ServiceDeps {
  config: Omit<PaymentConfig, 'PORT' | 'HOST' | 'LOG_LEVEL' | 'DATABASE_URL' | 'DATABASE_POOL_MAX' | 'KAFKA_BROKERS' | 'KAFKA_CLIENT_ID' | 'OTEL_EXPORTER_OTLP_ENDPOINT'>;
  logger: Logger;
  metrics: ServiceMetrics;
  /** knex on payment's database, `payment` first on the search path; migrated already. */
  db: Knex;
  bus: Bus;
  /** Defaults to the provider named in the config. */
  provider?: PaymentProvider;
  now?: () => Date;
}

export interface PaymentService {
  app: HttpApp;
  payments: Payments;
  settlement: Settlement;
  /** Refunds of sold returns (price paid minus the fee), once per return. */
  returnRefunds: ReturnType<typeof createReturnRefunds>;
  orderReconciliation: OrderReconciliation;
  /** Applies one consumed event exactly once (the bus handler; tests call it directly). */
  handleEvent(event: BusEvent): Promise<HandleResult>;
  /** Starts the outbox relay, the consumer of booking's events, the reconcilers and the refund worker. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

const PURGE_KEYS_EVERY_MS = 10 * 60_000;
/** A fan's payment waits at most this long for booking's answer before falling back to the event. */
const BOOKING_READ_TIMEOUT_MS = 2000;

/** The configured secret, or one derived from the gateway credential (a secret every deployment has). */
function fingerprintKey(config: Pick<PaymentConfig, 'IDEMPOTENCY_FINGERPRINT_KEY' | 'INTERNAL_TOKEN'>): string {
  if (config.IDEMPOTENCY_FINGERPRINT_KEY) return config.IDEMPOTENCY_FINGERPRINT_KEY;
  return Buffer.from(hkdfSync('sha256', config.INTERNAL_TOKEN, 'ticketping-payment', 'idempotency-fingerprint', 32)).toString('hex');
}

export function createService({ config, logger, metrics, db, bus, now, ...deps }: ServiceDeps): PaymentService {
  const paymentMetrics = createPaymentMetrics(metrics.registry);
  const provider = guardProvider(deps.provider ?? createProvider(config), {
    timeoutMs: config.PROVIDER_TIMEOUT_MS,
    errorThresholdPercentage: config.PROVIDER_BREAKER_ERROR_PERCENT,
    volumeThreshold: config.PROVIDER_BREAKER_MIN_CALLS,
    resetTimeoutMs: config.PROVIDER_BREAKER_RESET_MS,
    metrics: paymentMetrics,
    logger,
  });
  const clock = now ? { now } : {};
  const booking = config.BOOKING_URL ? createBookingReader({ url: config.BOOKING_URL, internalToken: config.INTERNAL_TOKEN, timeoutMs: BOOKING_READ_TIMEOUT_MS }) : undefined;
  const payments = createPayments({
    db, provider, metrics: paymentMetrics, logger, orderArrivalWaitMs: config.ORDER_ARRIVAL_WAIT_MS, breakerResetMs: config.PROVIDER_BREAKER_RESET_MS, ...(booking ? { booking } : {}), ...clock,
  });
  // A request may hold a PENDING payment for one charge timeout; twice that (plus slack) and it is surely abandoned.
  const settlement = createSettlement({ store: knexSettlementStore(db), provider, metrics: paymentMetrics, logger, staleAfterMs: 2 * config.PROVIDER_TIMEOUT_MS + 1000, settlementWindowMs: config.PROVIDER_SETTLEMENT_WINDOW_MS, ...clock });
  const returnRefunds = createReturnRefunds({ db, provider, logger, metrics: paymentMetrics, ...clock });
  const idempotency = createIdempotency(db, { fingerprintKey: fingerprintKey(config) });
  let refundWorker: Periodic | undefined;
  const handleEvent = createEventHandler({ db, logger, onRefundRequested: () => refundWorker?.wake() });
  const orderReconciliation = createOrderReconciliation({
    db, metrics: paymentMetrics, logger, afterMs: config.ORDER_RECONCILE_AFTER_MS, onRefundRequested: () => refundWorker?.wake(), ...clock,
  });
  // The payment routes of docs/api.md behind the gateway's credential.
  const app = createHttpApp({
    logger,
    metrics,
    readiness: { db: () => pingDb(db), bus: () => bus.ready() },
    bodyLimit: '16kb',
    routes: (router) => mountPaymentRoutes(router, { payments, idempotency, internalToken: config.INTERNAL_TOKEN }),
  });

  let relay: OutboxRelay | undefined;
  let subscription: Subscription | undefined;
  let periodic: Periodic[] = [];
  return {
    app,
    payments,
    settlement,
    returnRefunds,
    orderReconciliation,
    handleEvent,
    async start() {
      relay = startOutboxRelay({ knex: db, schema: SCHEMA, bus, logger, pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS, metrics: metrics.registry });
      subscription = await bus.subscribe({ group: CONSUMER, topics: CONSUMED_TOPICS, handle: handleEvent });
      // whole refunds and sold returns' refunds: one worker, woken by either request
      refundWorker = runPeriodically('refunds', config.REFUND_INTERVAL_MS, logger, async () => (await settlement.refundDue()) + (await returnRefunds.refundDue()));
      periodic = [
        refundWorker,
        runPeriodically('reconcile-pending', config.RECONCILE_INTERVAL_MS, logger, () => settlement.settleStalePayments()),
        runPeriodically('reconcile-orders', config.ORDER_RECONCILE_INTERVAL_MS, logger, () => orderReconciliation.reconcileOrders()),
        runPeriodically('idempotency-key-purge', PURGE_KEYS_EVERY_MS, logger, () => idempotency.purgeExpired()),
      ];
    },
    async stop() {
      await Promise.all(periodic.map((p) => p.stop()));
      await subscription?.stop();
      await relay?.stop();
      provider.shutdown();
      periodic = [];
      refundWorker = undefined;
      subscription = undefined;
      relay = undefined;
    },
  };
}

/** The service as main.ts and standalone run it: its clients from the kit. */
export async function build(config: PaymentConfig, kit: ServiceKit): Promise<PaymentService> {
  const db = await kit.db({ url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX });
  const bus = kit.bus({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID, topicPrefix: config.KAFKA_TOPIC_PREFIX });
  return createService({ config, logger: kit.logger, metrics: kit.metrics, db, bus });
}
