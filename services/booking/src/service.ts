import { startOutboxRelay, type Bus, type BusEvent, type HandleResult, type OutboxRelay, type Subscription } from '@ticketping/bus';
import { pingDb, type Knex } from '@ticketping/db';
import { createHttpApp, type HttpApp } from '@ticketping/http';
import type { Logger } from '@ticketping/logger';
import type { ServiceMetrics } from '@ticketping/metrics';
import type { RedisClient } from '@ticketping/redis';
import { createAdmissionCheck, liveSlotsIn, queueTokenVerifier, type AdmissionCheck } from './admission/admission.ts';
import { createBookingMetrics, registerWaitlistGauges } from './booking-metrics.ts';
import { createSellableCache } from './catalog-copy/sellable-cache.ts';
import type { BookingConfig } from './config.ts';
import { CONSUMED_TOPICS, CONSUMER, createEventHandler } from './events.ts';
import { createIdempotency } from '@ticketping/idempotency';
import { expireDueOrders } from './orders/hold-expiry.ts';
import { SCHEMA } from './orders/orders.events.ts';
import { mountOrderRoutes } from './orders/orders.routes.ts';
import { knexOrdersStore } from './orders/orders.repo.ts';
import { createOrders, type Orders } from './orders/orders.service.ts';
import { createPaymentOutcomes } from './orders/payment-outcomes.ts';
import { createJoinGate } from './waitlist/join-gate.ts';
import { createWaitlist, type Waitlist } from './waitlist/waitlist.service.ts';
import { mountWaitlistRoutes } from './waitlist/waitlist.routes.ts';
import { mountSalesRoutes } from './sales/sales.routes.ts';
import { mountReturnRoutes } from './returns/returns.routes.ts';
import { createReturns, type Returns } from './returns/returns.service.ts';
import { runPeriodically, type Periodic } from '@ticketping/runtime';
import { createMailer, type Mailer, type MailOutboxSender } from '@ticketping/mail';
import { authContacts, startOfferMailer, type ContactDirectory } from './waitlist/offer-mail.ts';
import type { ServiceKit } from '@ticketping/runtime';

export interface ServiceDeps {
  config: Pick<BookingConfig, 'INTERNAL_TOKEN' | 'QUEUE_JWKS' | 'QUEUE_JWKS_URL' | 'QUEUE_TOKEN_ISSUER' | 'HOLD_TTL_SECONDS' | 'HOLD_EXPIRY_GRACE_SECONDS' | 'HOLD_SWEEP_INTERVAL_MS' | 'WAITLIST_CLAIM_SECONDS' | 'OFFER_SWEEP_INTERVAL_MS' | 'RETURN_FEE_PERCENT' | 'RETURN_FEE_MINIMUM' | 'SMTP_URL' | 'MAIL_FROM' | 'PUBLIC_URL' | 'AUTH_URL' | 'MAIL_POLL_INTERVAL_MS' | 'OUTBOX_POLL_INTERVAL_MS' | 'CATALOG_COPY_TTL_MS'> & Partial<Pick<BookingConfig, 'QUEUE_POW_HMAC_KEY'>>;
  logger: Logger;
  metrics: ServiceMetrics;
  /** knex on booking's database, `booking` first on the search path; migrated already. */
  db: Knex;
  bus: Bus;
  /** Defaults to verifying admission tokens against the queue's JWKS, and the live slot in `queueRedis`. */
  admission?: AdmissionCheck;
  /**
   * The waiting room's Redis (connected; the caller closes it). Given, an order also needs the
   * fan's live admission slot (main.ts always gives it). Unset only where tokens are signed
   * without a waiting room (tests of booking alone).
   */
  queueRedis?: RedisClient;
  /** Defaults to SMTP at SMTP_URL; no offer e-mail when both are missing. */
  mailer?: Mailer;
  /** Where offer e-mails go; defaults to auth's contact lookup at AUTH_URL. */
  contacts?: ContactDirectory;
  now?: () => Date;
}

export interface BookingService {
  app: HttpApp;
  orders: Orders;
  waitlist: Waitlist;
  returns: Returns;
  /** Applies one consumed event exactly once (the bus handler; tests call it directly). */
  handleEvent(event: BusEvent): Promise<HandleResult>;
  /** One pass of the hold-expiry sweeper; returns how many orders it expired. */
  expireHolds(): Promise<number>;
  /** One pass of the offer e-mail outbox (when mail is configured); returns how many went out. */
  sendOfferMails(): Promise<number>;
  /** One pass of the offer sweeper: unclaimed offers move on; returns how many lapsed. */
  lapseOffers(): Promise<number>;
  /** Starts the outbox relay, the consumer of catalog's and payment's events and the sweepers. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

const PURGE_KEYS_EVERY_MS = 10 * 60_000;

export function createService({ config, logger, metrics, db, bus, now, ...deps }: ServiceDeps): BookingService {
  const bookingMetrics = createBookingMetrics(metrics.registry);
  const admission = deps.admission ?? createAdmissionCheck(queueTokenVerifier(config), deps.queueRedis ? liveSlotsIn(deps.queueRedis) : undefined);
  const catalog = createSellableCache(db, config.CATALOG_COPY_TTL_MS);
  const orders = createOrders({ store: knexOrdersStore(db), catalog, admission, metrics: bookingMetrics, holdTtlSeconds: config.HOLD_TTL_SECONDS, ...(now ? { now } : {}) });
  const joinGate = deps.queueRedis ? createJoinGate(deps.queueRedis, { internalToken: config.INTERNAL_TOKEN, hmacKey: config.QUEUE_POW_HMAC_KEY }) : undefined;
  const waitlist = createWaitlist({ db, catalog, holdTtlSeconds: config.HOLD_TTL_SECONDS, claimSeconds: config.WAITLIST_CLAIM_SECONDS, ...(joinGate ? { joinGate } : {}), ...(now ? { now } : {}) });
  registerWaitlistGauges(metrics.registry, () => waitlist.stats());
  const returns = createReturns({ db, fee: { percent: config.RETURN_FEE_PERCENT, minimum: config.RETURN_FEE_MINIMUM }, ...(now ? { now } : {}) });
  const idempotency = createIdempotency(db);
  const handleEvent = createEventHandler({ db, logger, metrics: bookingMetrics, outcomes: createPaymentOutcomes({ logger, metrics: bookingMetrics }) });
  const expireHolds = () => expireDueOrders(db, bookingMetrics, { graceSeconds: config.HOLD_EXPIRY_GRACE_SECONDS, ...(now ? { now: now() } : {}) });
  // The order and waitlist routes of docs/api.md behind the gateway's credential.
  const app = createHttpApp({
    logger,
    metrics,
    readiness: { db: () => pingDb(db), bus: () => bus.ready() },
    bodyLimit: '16kb',
    routes: (router) => {
      mountOrderRoutes(router, { orders, idempotency, internalToken: config.INTERNAL_TOKEN });
      mountWaitlistRoutes(router, { waitlist, idempotency, internalToken: config.INTERNAL_TOKEN });
      mountSalesRoutes(router, { db, internalToken: config.INTERNAL_TOKEN });
      mountReturnRoutes(router, { returns, internalToken: config.INTERNAL_TOKEN });
    },
  });

  const mailer = deps.mailer ?? (config.SMTP_URL ? createMailer({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM }) : undefined);
  const contacts = deps.contacts ?? authContacts({ authUrl: config.AUTH_URL, internalToken: config.INTERNAL_TOKEN, timeoutMs: 5000 });

  let relay: OutboxRelay | undefined;
  let subscription: Subscription | undefined;
  let periodic: Periodic[] = [];
  let offerMailer: MailOutboxSender | undefined;
  return {
    app,
    orders,
    waitlist,
    returns,
    handleEvent,
    expireHolds,
    lapseOffers: () => waitlist.lapseOffers(),
    sendOfferMails: async () => (offerMailer ? offerMailer.sendDue() : 0),
    async start() {
      relay = startOutboxRelay({ knex: db, schema: SCHEMA, bus, logger, pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS, metrics: metrics.registry });
      subscription = await bus.subscribe({ group: CONSUMER, topics: CONSUMED_TOPICS, handle: handleEvent });
      periodic = [
        runPeriodically('hold-expiry', config.HOLD_SWEEP_INTERVAL_MS, logger, expireHolds),
        runPeriodically('offer-lapse', config.OFFER_SWEEP_INTERVAL_MS, logger, () => waitlist.lapseOffers()),
        runPeriodically('idempotency-key-purge', PURGE_KEYS_EVERY_MS, logger, () => idempotency.purgeExpired()),
      ];
      if (mailer) {
        offerMailer = startOfferMailer({ db, mailer, contacts, logger, publicUrl: config.PUBLIC_URL, pollIntervalMs: config.MAIL_POLL_INTERVAL_MS, ...(now ? { now } : {}) });
      } else {
        logger.info('SMTP_URL is not set: waitlist offers are not e-mailed (fans see them on the waitlist page)');
      }
    },
    async stop() {
      await offerMailer?.stop();
      offerMailer = undefined;
      await Promise.all(periodic.map((p) => p.stop()));
      await subscription?.stop();
      await relay?.stop();
      periodic = [];
      subscription = undefined;
      relay = undefined;
      if (!deps.mailer) mailer?.close();
    },
  };
}

/** The service as main.ts and standalone run it: its clients from the kit. */
export async function build(config: BookingConfig, kit: ServiceKit): Promise<BookingService> {
  const { logger } = kit;
  const db = await kit.db({ url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX });
  const bus = kit.bus({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID, topicPrefix: config.KAFKA_TOPIC_PREFIX });
  const queueRedis = kit.redis({ url: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES });
  let warnedAt = 0;
  queueRedis.on('error', (error: Error) => {
    // ioredis reports every failed reconnection attempt: one line per 10 s tells the story
    if (Date.now() - warnedAt < 10_000) return;
    warnedAt = Date.now();
    logger.warn({ err: error }, 'the waiting room\'s Redis is out of reach: new orders get 503 until it is back');
  });
  return createService({ config, logger, metrics: kit.metrics, db, bus, queueRedis });
}
