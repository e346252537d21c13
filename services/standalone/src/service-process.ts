/**
 * One service in its own process, as standalone's supervisor starts it: `service-process.ts <name>`
 * with the service's environment, as its pod would have it in Kubernetes. It migrates its database,
 * starts, listens, tells the supervisor its port over IPC, and stops on SIGTERM, or by itself when
 * the supervisor is gone (killed with -9), so no orphan keeps a port or a consumer name.
 */
import { createBus, type Bus } from '@ticketping/bus';
import { createDb, type Knex } from '@ticketping/db';
import { listenBoth, shutdownOnSignals, type HttpApp } from '@ticketping/http';
import { createLogger } from '@ticketping/logger';
import { createMetrics } from '@ticketping/metrics';
import { createRedis, type RedisClient } from '@ticketping/redis';
import { initTracing, shutdownTracing, traceFields } from '@ticketping/telemetry';
import { loadServiceProcessConfig, SERVICE_NAMES, type ServiceName } from './config.ts';

interface Runnable { app: HttpApp; start(): Promise<void>; stop(): Promise<void> }

const name = process.argv[2] as ServiceName;
if (!SERVICE_NAMES.includes(name)) throw new Error(`usage: service-process.ts <${SERVICE_NAMES.join('|')}>`);
// ps, top and the benches' per-process figures name the process after its service.
process.title = `tp-${name}`;
const own = loadServiceProcessConfig();
initTracing({ serviceName: name });
const logger = createLogger({ service: name, level: own.LOG_LEVEL, mixin: traceFields });
const metrics = createMetrics(name);
const closers: Array<() => unknown> = [];

const redis = (url: string): RedisClient => {
  const client = createRedis({ url });
  closers.push(() => client.disconnect());
  return client;
};
/** Events cross processes on Redis Streams; the consumer name is the service's, the same after a restart. */
const bus = (): Bus => {
  const client = createBus({ redisUrl: own.BUS_REDIS_URL, clientId: name, logger, metrics: metrics.registry });
  closers.unshift(() => client.close());
  return client;
};
const database = async (url: string, schema: string, poolMax: number, migrate: (knex: Knex) => Promise<string[]>): Promise<Knex> => {
  const knex = createDb({ url, schema, poolMax });
  closers.push(() => knex.destroy());
  await migrate(knex);
  return knex;
};

/** Only this service's code is loaded (each process pays the start-up of its own service alone). */
async function build(): Promise<Runnable> {
  const deps = { logger, metrics };
  switch (name) {
    case 'auth': {
      const [{ loadAuthConfig }, { createService }, { migrate, SCHEMA }] = await Promise.all([import('@ticketping/auth/config'), import('@ticketping/auth/service'), import('@ticketping/auth/migrate')]);
      const config = loadAuthConfig();
      return createService({ config, ...deps, db: await database(config.DATABASE_URL, SCHEMA, 10, migrate), redis: redis(config.REDIS_URL) });
    }
    case 'catalog': {
      const [{ loadConfig }, { createService }, { migrateCatalog, SCHEMA }] = await Promise.all([import('@ticketping/catalog/config'), import('@ticketping/catalog/service'), import('@ticketping/catalog/migrate')]);
      const config = loadConfig();
      return createService({ config, ...deps, db: await database(config.DATABASE_URL, SCHEMA, config.DATABASE_POOL_MAX, migrateCatalog), bus: bus() });
    }
    case 'queue': {
      const [{ loadQueueConfig }, { createService }] = await Promise.all([import('@ticketping/queue/config'), import('@ticketping/queue/service')]);
      const config = loadQueueConfig();
      return createService({ config, ...deps, redis: redis(config.REDIS_URL), bus: bus() });
    }
    case 'booking': {
      const [{ loadBookingConfig }, { createService }, { migrateBooking, SCHEMA }] = await Promise.all([import('@ticketping/booking/config'), import('@ticketping/booking/service'), import('@ticketping/booking/migrate')]);
      const config = loadBookingConfig();
      return createService({ config, ...deps, db: await database(config.DATABASE_URL, SCHEMA, config.DATABASE_POOL_MAX, migrateBooking), bus: bus(), queueRedis: redis(config.REDIS_URL) });
    }
    case 'payment': {
      const [{ loadPaymentConfig }, { createService }, { migratePayment, SCHEMA }] = await Promise.all([import('@ticketping/payment/config'), import('@ticketping/payment/service'), import('@ticketping/payment/migrate')]);
      const config = loadPaymentConfig();
      return createService({ config, ...deps, db: await database(config.DATABASE_URL, SCHEMA, config.DATABASE_POOL_MAX, migratePayment), bus: bus() });
    }
    case 'tickets': {
      const [{ loadTicketsConfig }, { createService }, { migrateTickets, SCHEMA }] = await Promise.all([import('@ticketping/tickets/config'), import('@ticketping/tickets/service'), import('@ticketping/tickets/migrate')]);
      const config = loadTicketsConfig();
      return createService({ config, ...deps, db: await database(config.DATABASE_URL, SCHEMA, config.DATABASE_POOL_MAX, migrateTickets), bus: bus() });
    }
    case 'gateway': {
      const [{ loadGatewayConfig }, { createService }] = await Promise.all([import('@ticketping/gateway/config'), import('@ticketping/gateway/service')]);
      const config = loadGatewayConfig();
      return createService({ config, ...deps, redis: redis(config.REDIS_URL) });
    }
  }
}

const service = await build();
await service.start();
const listeners = await listenBoth(service.app, { port: own.PORT, managementPort: own.MANAGEMENT_PORT, host: '127.0.0.1' });
logger.info({ port: listeners.public.port, managementPort: listeners.management.port }, `${name} listening`);
process.send?.({ listening: listeners.public.port, management: listeners.management.port });

shutdownOnSignals(logger, async () => {
  process.removeAllListeners('disconnect');
  await listeners.close();
  await service.stop();
  for (const close of closers) await close();
  await shutdownTracing();
  // The IPC channel would keep the process alive.
  if (process.connected) process.disconnect();
});
// The supervisor is gone (killed with -9): stop as if it had asked.
process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
