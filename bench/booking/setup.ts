import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createSigner, generateSigningKey, publicJwks, type TokenSigner } from '@ticketping/auth-tokens';
import { createKafkaBus, type Bus } from '@ticketping/bus';
import { createTestDatabase, type TestDatabase } from '@ticketping/db/testing';
import type { Logger } from '@ticketping/logger';
import { eventually, randomPrefix, testEnv } from '@ticketping/testing';
import { MIGRATIONS_DIRECTORY, SCHEMA } from '../../services/booking/src/migrate.ts';
import { startBookingProcess, startServiceProcess, type ServiceProcess } from '../../services/booking/test/booking-process.ts';
import { INTERNAL_TOKEN, catalogEvents } from '../../services/booking/test/harness.ts';
import { startCatalog } from '../../services/catalog/test/harness.ts';
import type { Fan } from './fans.ts';

/** A sale ready to race: where fans send holds, what they may ask for, and booking's database to check. */
export interface Sale {
  origin: string;
  scheduleId: string;
  seatIds: string[];
  /** Booking's database, to count what was sold. */
  bookingDb: TestDatabase;
  fan(): Promise<Fan>;
  stop(): Promise<void>;
}

interface Common { logger: Logger; seats: number; dbPool: number }

async function booking(common: Common, bus: Bus, topicPrefix: string, queueJwks: string): Promise<{ db: TestDatabase; process: ServiceProcess }> {
  const db = await createTestDatabase(testEnv.postgresUrl, [{ directory: MIGRATIONS_DIRECTORY, schema: SCHEMA }]);
  const process = await startBookingProcess({
    DATABASE_URL: db.url, DATABASE_POOL_MAX: String(common.dbPool), KAFKA_BROKERS: testEnv.kafkaBrokers.join(','), KAFKA_TOPIC_PREFIX: topicPrefix,
    INTERNAL_TOKEN, QUEUE_JWKS: queueJwks, LOG_LEVEL: 'warn',
  });
  return { db, process };
}

const admission = (signer: TokenSigner, fanId: string, performanceId: string) =>
  signer.sign({ subject: fanId, audience: performanceId, expiresInSeconds: 3600 }).then((t) => t.token);

/** Booking alone: the fans' requests carry the gateway's headers themselves (internal token, identity). */
export async function directSale(common: Common): Promise<Sale> {
  const topicPrefix = `${randomPrefix('bench')}.`;
  const bus = createKafkaBus({ clientId: 'bench', brokers: testEnv.kafkaBrokers, topicPrefix, logger: common.logger });
  const queueKey = await generateSigningKey();
  const signer = await createSigner('ticketping-queue', queueKey);
  const { db, process } = await booking(common, bus, topicPrefix, JSON.stringify(publicJwks([queueKey])));
  const { events, seeded } = catalogEvents({ seats: common.seats, maxSeatsPerOrder: 4 });
  await bus.publish('catalog.performances', events);
  await eventually(async () => Number((await db.knex('seats').count<{ n: number }[]>('* as n'))[0]!.n) === common.seats, 60_000);
  return {
    origin: process.base,
    scheduleId: seeded.scheduleId,
    seatIds: seeded.seatIds,
    bookingDb: db,
    async fan() {
      const id = randomUUID();
      return { id, headers: { 'content-type': 'application/json', 'x-internal-token': INTERNAL_TOKEN, 'x-user-id': id, 'x-user-role': 'USER', 'x-queue-token': await admission(signer, id, seeded.performanceId) } };
    },
    async stop() {
      await process.stop();
      await bus.close();
      await db.drop();
    },
  };
}

const GATEWAY_MAIN = path.resolve(import.meta.dirname, '../../services/gateway/src/main.ts');

/**
 * The path a fan takes: the gateway (access token, admission token, rate limits) in front of
 * booking, each its own process; catalog (in this process, it is barely called) creates the
 * performance through its admin API and publishes the seats to booking over Kafka.
 */
export async function gatewaySale(common: Common): Promise<Sale> {
  const topicPrefix = `${randomPrefix('bench')}.`;
  const bus = createKafkaBus({ clientId: 'bench-catalog', brokers: testEnv.kafkaBrokers, topicPrefix, logger: common.logger });
  const [authKey, queueKey] = [await generateSigningKey(), await generateSigningKey()];
  const [authSigner, queueSigner] = [await createSigner('ticketping-auth', authKey), await createSigner('ticketping-queue', queueKey)];
  const queueJwks = JSON.stringify(publicJwks([queueKey]));
  const catalog = await startCatalog({ bus });
  const { db, process: bookingProcess } = await booking(common, bus, topicPrefix, queueJwks);
  const gateway = await startServiceProcess(GATEWAY_MAIN, {
    INTERNAL_TOKEN, LOG_LEVEL: 'warn', REDIS_URL: testEnv.redisUrl, REDIS_KEY_PREFIX: `tp:${randomPrefix('benchgw')}`,
    BOOKING_URL: bookingProcess.base, CATALOG_URL: `http://127.0.0.1:${catalog.server.port}`,
    AUTH_JWKS: JSON.stringify(publicJwks([authKey])), QUEUE_JWKS: queueJwks,
    // One machine plays every fan: the per-IP limit would throttle the crowd, not protect anyone.
    RATE_LIMIT_PER_IP: '0',
  });
  const bearer = async (id: string, role: 'USER' | 'ADMIN') =>
    `Bearer ${(await authSigner.sign({ subject: id, audience: 'ticketping-api', expiresInSeconds: 3600, claims: { role } })).token}`;

  const sections = Math.max(1, Math.ceil(common.seats / 500));
  const seatsPerRow = 25;
  const rows = Math.ceil(common.seats / sections / seatsPerRow);
  if (sections * rows * seatsPerRow !== common.seats) throw new Error(`--seats must be a multiple of ${seatsPerRow * sections} through the gateway`);
  const created = await fetch(`${gateway.base}/api/v1/performances`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: await bearer(randomUUID(), 'ADMIN') },
    body: JSON.stringify({
      title: 'Bench Night', venue: 'Bench Hall', description: 'booking bench', maxSeatsPerOrder: 4,
      bookingOpensAt: new Date(Date.now() - 60_000).toISOString(), bookingClosesAt: new Date(Date.now() + 3600_000).toISOString(),
      schedules: [{ startsAt: new Date(Date.now() + 86_400_000).toISOString() }],
      sections: Array.from({ length: sections }, (_, i) => ({ name: `S${i + 1}`, rows, seatsPerRow, grade: 'R', price: 90_000, currency: 'KRW' })),
      queue: { capacity: 1000, admitPerMinute: 6000 },
    }),
  });
  if (created.status !== 201) throw new Error(`catalog refused the performance: ${created.status} ${await created.text()}`);
  const performance = (await created.json()) as { id: string; schedules: Array<{ id: string }> };
  const scheduleId = performance.schedules[0]!.id;
  const seatMap = (await (await fetch(`${gateway.base}/api/v1/schedules/${scheduleId}/seats`)).json()) as { items: Array<{ id: string }> };
  await eventually(async () => Number((await db.knex('seats').where('schedule_id', scheduleId).count<{ n: number }[]>('* as n'))[0]!.n) === common.seats, 60_000);
  return {
    origin: gateway.base,
    scheduleId,
    seatIds: seatMap.items.map((s) => s.id),
    bookingDb: db,
    async fan() {
      const id = randomUUID();
      return { id, headers: { 'content-type': 'application/json', authorization: await bearer(id, 'USER'), 'x-queue-token': await admission(queueSigner, id, performance.id) } };
    },
    async stop() {
      await gateway.stop();
      await bookingProcess.stop();
      await catalog.close();
      await db.drop();
    },
  };
}
