import { startOutboxRelay, type Bus, type BusEvent, type HandleResult, type OutboxRelay, type Subscription } from '@ticketping/bus';
import { pingDb, type Knex } from '@ticketping/db';
import { createHttpApp, type HttpApp } from '@ticketping/http';
import type { Logger } from '@ticketping/logger';
import { createMailer, type Mailer } from '@ticketping/mail';
import type { ServiceMetrics } from '@ticketping/metrics';
import { createAuthDirectory, type AccountDirectory } from './accounts/auth-directory.ts';
import { mountCheckInRoutes } from './check-in/check-in.routes.ts';
import { createCheckIn, type CheckInService } from './check-in/check-in.service.ts';
import { loadTicketKeys, type TicketKeys } from './codes/signing-keys.ts';
import type { TicketsConfig } from './config.ts';
import { CONSUMED_TOPICS, CONSUMER, createEventHandler } from './events.ts';
import { startTicketMailer, type TicketMailer } from './mail/ticket-mail.ts';
import { createStaff } from './staff/staff.service.ts';
import { createTicketsMetrics } from './tickets-metrics.ts';
import { SCHEMA } from './tickets/tickets.events.ts';
import { mountTicketRoutes } from './tickets/tickets.routes.ts';
import { createTickets, type Tickets } from './tickets/tickets.service.ts';
import type { ServiceKit } from '@ticketping/runtime';

export interface ServiceDeps {
  config: Omit<TicketsConfig, 'PORT' | 'HOST' | 'LOG_LEVEL' | 'DATABASE_URL' | 'DATABASE_POOL_MAX' | 'KAFKA_BROKERS' | 'KAFKA_CLIENT_ID' | 'OTEL_EXPORTER_OTLP_ENDPOINT'>;
  logger: Logger;
  metrics: ServiceMetrics;
  /** knex on the tickets database, `tickets` first on the search path; migrated already. */
  db: Knex;
  bus: Bus;
  /** Defaults to auth's internal lookup at AUTH_URL. */
  accounts?: AccountDirectory;
  /** Defaults to SMTP at SMTP_URL; no mail at all when both are missing. */
  mailer?: Mailer;
  now?: () => number;
}

export interface TicketsService {
  app: HttpApp;
  tickets: Tickets;
  checkIn: CheckInService;
  keys: Promise<TicketKeys>;
  /** Applies one consumed event exactly once (the bus handler; tests call it directly). */
  handleEvent(event: BusEvent): Promise<HandleResult>;
  /** Loads the signing keys, starts the outbox relay and the consumer of booking's and catalog's events. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createService({ config, logger, metrics, db, bus, now, ...deps }: ServiceDeps): TicketsService {
  const ticketMetrics = createTicketsMetrics(metrics.registry);
  const keys = loadTicketKeys(db, config.TICKET_SIGNING_KEYS);
  keys.catch(() => {}); // surfaced by start(); requests awaiting it fail on their own
  const accounts = deps.accounts ?? createAuthDirectory({ authUrl: config.AUTH_URL, internalToken: config.INTERNAL_TOKEN, timeoutMs: config.AUTH_TIMEOUT_MS });
  const clock = now ? { now } : {};
  const tickets = createTickets({ db, keys, accounts, metrics: ticketMetrics, transferLimit: config.TRANSFER_LIMIT, ...clock });
  const checkIn = createCheckIn({ db, keys, metrics: ticketMetrics, ...clock });
  const mailer = deps.mailer ?? (config.SMTP_URL ? createMailer({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM }) : undefined);
  const handleEvent = createEventHandler({ db, logger, metrics: ticketMetrics, mailTickets: mailer !== undefined });
  const staff = createStaff({ db, accounts });
  const internalToken = config.INTERNAL_TOKEN;
  // docs/openapi.yaml, tags Tickets and Check-in, behind the gateway's credential.
  const app = createHttpApp({
    logger,
    metrics,
    readiness: { db: () => pingDb(db), bus: () => bus.ready() },
    // A sync of 500 scans of ~200-byte codes, with room to spare.
    bodyLimit: '512kb',
    routes: (router) => {
      mountTicketRoutes(router, { tickets, internalToken, jwks: async () => (await keys).jwks });
      mountCheckInRoutes(router, { checkIn, staff, db, internalToken, maxScansPerSync: config.MAX_SCANS_PER_SYNC });
    },
  });

  let relay: OutboxRelay | undefined;
  let subscription: Subscription | undefined;
  let ticketMailer: TicketMailer | undefined;
  return {
    app,
    tickets,
    checkIn,
    keys,
    handleEvent,
    async start() {
      await keys;
      relay = startOutboxRelay({ knex: db, schema: SCHEMA, bus, logger, pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS, metrics: metrics.registry });
      subscription = await bus.subscribe({ group: CONSUMER, topics: CONSUMED_TOPICS, handle: handleEvent });
      if (mailer) {
        ticketMailer = startTicketMailer({ db, mailer, accounts, tickets, logger, publicUrl: config.PUBLIC_URL, pollIntervalMs: config.MAIL_POLL_INTERVAL_MS, concurrency: config.MAIL_CONCURRENCY });
      } else {
        logger.info('SMTP_URL is not set: tickets are not e-mailed (fans find them on My tickets)');
      }
    },
    async stop() {
      await subscription?.stop();
      await relay?.stop();
      await ticketMailer?.stop();
      if (!deps.mailer) mailer?.close();
      ticketMailer = undefined;
      subscription = undefined;
      relay = undefined;
    },
  };
}

/** The service as main.ts and standalone run it: its clients from the kit. */
export async function build(config: TicketsConfig, kit: ServiceKit): Promise<TicketsService> {
  const db = await kit.db({ url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX });
  const bus = kit.bus({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID, topicPrefix: config.KAFKA_TOPIC_PREFIX });
  return createService({ config, logger: kit.logger, metrics: kit.metrics, db, bus });
}
