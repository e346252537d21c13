import { createMemoryBus, type Bus } from '@ticketping/bus';
import { createDb, type Knex } from '@ticketping/db';
import { listen, type HttpApp, type RunningServer } from '@ticketping/http';
import type { Logger } from '@ticketping/logger';
import { createMetrics } from '@ticketping/metrics';
import { createRedis, type RedisClient } from '@ticketping/redis';
import { loadAuthConfig } from '@ticketping/auth/config';
import { createService as createAuth } from '@ticketping/auth/service';
import { migrate as migrateAuth, SCHEMA as AUTH_SCHEMA } from '@ticketping/auth/migrate';
import { loadConfig as loadCatalogConfig } from '@ticketping/catalog/config';
import { createService as createCatalog } from '@ticketping/catalog/service';
import { migrateCatalog, SCHEMA as CATALOG_SCHEMA } from '@ticketping/catalog/migrate';
import { loadQueueConfig } from '@ticketping/queue/config';
import { createService as createQueue } from '@ticketping/queue/service';
import { loadBookingConfig } from '@ticketping/booking/config';
import { createService as createBooking } from '@ticketping/booking/service';
import { migrateBooking, SCHEMA as BOOKING_SCHEMA } from '@ticketping/booking/migrate';
import { loadPaymentConfig } from '@ticketping/payment/config';
import { createService as createPayment } from '@ticketping/payment/service';
import { migratePayment, SCHEMA as PAYMENT_SCHEMA } from '@ticketping/payment/migrate';
import { loadGatewayConfig } from '@ticketping/gateway/config';
import { createService as createGateway } from '@ticketping/gateway/service';
import { jwksJson, type StandaloneSecrets } from './secrets.ts';

export type ServiceName = 'auth' | 'catalog' | 'queue' | 'booking' | 'payment' | 'gateway';
export type Ports = Record<ServiceName, number>;

interface Running { name: ServiceName; server: RunningServer; stop(): Promise<void> }

export const DATABASE_OWNERS = ['auth', 'catalog', 'booking', 'payment'] as const;
export type DatabaseOwner = (typeof DATABASE_OWNERS)[number];

export interface Infrastructure { redisUrl: string; postgresUrls: Record<DatabaseOwner, string> }

/**
 * Starts the six services in dependency order, each with the config it would read from its
 * environment in Kubernetes, its own clients, its own port, and one shared in-memory bus.
 * Returns a function that stops them in reverse order and closes their clients.
 */
export async function startServices(infra: Infrastructure, ports: Ports, secrets: StandaloneSecrets, logger: Logger, logLevel: string): Promise<{ ports: Ports; stop(): Promise<void> }> {
  const running: Running[] = [];
  const clients: Array<() => Promise<void>> = [];
  const bus: Bus = createMemoryBus({ logger: logger.child({ service: 'bus' }) });
  clients.push(() => bus.close());

  const env = (name: ServiceName, extra: Record<string, string> = {}) => ({
    HOST: '127.0.0.1', PORT: String(ports[name]), LOG_LEVEL: logLevel, INTERNAL_TOKEN: secrets.internalToken, ...extra,
  });
  const redis = (): RedisClient => {
    const client = createRedis({ url: infra.redisUrl });
    clients.push(async () => { client.disconnect(); });
    return client;
  };
  const database = async (owner: DatabaseOwner, schema: string, migrate: (knex: Knex) => Promise<string[]>): Promise<Knex> => {
    // PGlite is one session behind the socket, and pglite-socket 0.2.17 keeps a connection's
    // messages together only inside a transaction: two connections' extended-protocol queries
    // (Parse/Bind/Execute/Sync) interleave and fail ("portal does not exist", "bind message
    // supplies 2 parameters"), seen under bench/onsale. One connection per service cannot interleave.
    const knex = createDb({ url: infra.postgresUrls[owner], schema, poolMax: 1 });
    clients.push(() => knex.destroy());
    await migrate(knex);
    return knex;
  };
  const serve = async (name: ServiceName, service: { app: HttpApp; start(): Promise<void>; stop(): Promise<void> }) => {
    await service.start();
    const server = await listen(service.app, ports[name]);
    ports[name] = server.port;
    logger.info({ service: name, port: server.port }, 'service listening');
    running.push({ name, server, stop: service.stop });
  };
  const deps = (name: ServiceName) => ({ logger: logger.child({ service: name }), metrics: createMetrics(name) });
  const url = (name: ServiceName) => `http://127.0.0.1:${ports[name]}`;

  const stop = async () => {
    for (const service of running.reverse()) {
      await service.server.close(5_000);
      await service.stop().catch((error: unknown) => logger.error({ err: error, service: service.name }, 'service stop failed'));
    }
    for (const close of clients.reverse()) await close().catch(() => undefined);
  };

  try {
    const authConfig = loadAuthConfig(env('auth', {
      REDIS_URL: infra.redisUrl, DATABASE_URL: infra.postgresUrls.auth, AUTH_SIGNING_KEY: JSON.stringify(secrets.authKey),
      ADMIN_EMAIL: secrets.adminEmail, ADMIN_PASSWORD: secrets.adminPassword,
    }));
    await serve('auth', createAuth({ config: authConfig, ...deps('auth'), db: await database('auth', AUTH_SCHEMA, migrateAuth), redis: redis() }));

    const catalogConfig = loadCatalogConfig(env('catalog', { DATABASE_URL: infra.postgresUrls.catalog }));
    await serve('catalog', createCatalog({ config: catalogConfig, ...deps('catalog'), db: await database('catalog', CATALOG_SCHEMA, migrateCatalog), bus }));

    const queueConfig = loadQueueConfig(env('queue', { REDIS_URL: infra.redisUrl, CATALOG_URL: url('catalog'), QUEUE_SIGNING_KEY: JSON.stringify(secrets.queueKey) }));
    await serve('queue', await createQueue({ config: queueConfig, ...deps('queue'), redis: redis(), bus }));

    const bookingConfig = loadBookingConfig(env('booking', { DATABASE_URL: infra.postgresUrls.booking, QUEUE_JWKS: jwksJson(secrets.queueKey) }));
    await serve('booking', createBooking({ config: bookingConfig, ...deps('booking'), db: await database('booking', BOOKING_SCHEMA, migrateBooking), bus, queueRedis: redis() }));

    const paymentConfig = loadPaymentConfig(env('payment', { DATABASE_URL: infra.postgresUrls.payment }));
    await serve('payment', createPayment({ config: paymentConfig, ...deps('payment'), db: await database('payment', PAYMENT_SCHEMA, migratePayment), bus }));

    const gatewayConfig = loadGatewayConfig(env('gateway', {
      REDIS_URL: infra.redisUrl, AUTH_URL: url('auth'), CATALOG_URL: url('catalog'), QUEUE_URL: url('queue'),
      BOOKING_URL: url('booking'), PAYMENT_URL: url('payment'),
      AUTH_JWKS: jwksJson(secrets.authKey), QUEUE_JWKS: jwksJson(secrets.queueKey),
    }));
    await serve('gateway', createGateway({ config: gatewayConfig, ...deps('gateway'), redis: redis() }));
  } catch (error) {
    await stop();
    throw error;
  }
  return { ports, stop };
}
