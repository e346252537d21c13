import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createSigner, generateSigningKey, publicJwks, type TokenSigner } from '@ticketping/auth-tokens';
import { createKafkaBus } from '@ticketping/bus';
import { createTestDatabase, type TestDatabase } from '@ticketping/db/testing';
import type { Logger } from '@ticketping/logger';
import { createRedis, queueKeys } from '@ticketping/redis';
import { eventually, randomPrefix, testEnv } from '@ticketping/testing';
import { MIGRATIONS_DIRECTORY, SCHEMA } from '@ticketping/booking/migrate';
import { startBookingProcess, startServiceProcess, type ServiceProcess } from '../../services/booking/test/booking-process.ts';
import { INTERNAL_TOKEN, catalogEvents } from '../../services/booking/test/harness.ts';
import { startCatalog } from '../../services/catalog/test/harness.ts';
import type { Fan } from './fans.ts';

/** One performance on sale: a schedule and its seats. */
export interface OnSale { performanceId: string; scheduleId: string; seatIds: string[] }

/** Where fans send holds (one origin per booking replica, or the gateway), what is on sale, and booking's database. */
export interface Sale {
  origins: string[];
  /** A small performance to warm the processes up on, not measured. */
  warmup: OnSale;
  race: OnSale;
  /** Booking's database, to count what was sold. */
  bookingDb: TestDatabase;
  fan(performanceId: string): Promise<Fan>;
  stop(): Promise<void>;
}

interface Common { logger: Logger; seats: number; warmupSeats: number; dbPool: number; replicas: number }

/** Booking replicas on one database, as a Deployment would run them. */
async function booking(common: Common, topicPrefix: string, queueJwks: string): Promise<{ db: TestDatabase; replicas: ServiceProcess[] }> {
  const db = await createTestDatabase(testEnv.postgresUrl, [{ directory: MIGRATIONS_DIRECTORY, schema: SCHEMA }]);
  const env = {
    DATABASE_URL: db.url, DATABASE_POOL_MAX: String(common.dbPool), KAFKA_BROKERS: testEnv.kafkaBrokers.join(','), KAFKA_TOPIC_PREFIX: topicPrefix,
    INTERNAL_TOKEN, QUEUE_JWKS: queueJwks, LOG_LEVEL: 'warn', REDIS_URL: testEnv.redisUrl,
  };
  const replicas: ServiceProcess[] = [];
  for (let i = 0; i < common.replicas; i++) replicas.push(await startBookingProcess(env));
  return { db, replicas };
}

const seatCount = (db: TestDatabase, scheduleId: string) =>
  db.knex('seats').where('schedule_id', scheduleId).count<{ n: number }[]>('* as n').then((rows) => Number(rows[0]!.n));

/** The waiting room's slots; booking checks a fan holds one when an order is created. */
const slots = createRedis({ url: testEnv.redisUrl, lazyConnect: true });
const slotsUsed = new Set<string>();

/** What the waiting room gives an admitted fan: a live slot in the active set and the signed token. */
async function admission(signer: TokenSigner, fanId: string, performanceId: string): Promise<string> {
  const active = queueKeys(performanceId).active;
  slotsUsed.add(active);
  await slots.zadd(active, Date.now() + 3_600_000, fanId);
  return (await signer.sign({ subject: fanId, audience: performanceId, expiresInSeconds: 3600 })).token;
}

/** Drops the slots this bench created and closes its Redis connection. */
async function releaseSlots(): Promise<void> {
  if (slotsUsed.size) await slots.del(...slotsUsed);
  slotsUsed.clear();
  slots.disconnect();
}

/** Booking alone: the fans' requests carry the gateway's headers themselves (internal token, identity). */
export async function directSale(common: Common): Promise<Sale> {
  const topicPrefix = `${randomPrefix('bench')}.`;
  const bus = createKafkaBus({ clientId: 'bench', brokers: testEnv.kafkaBrokers, topicPrefix, logger: common.logger });
  const queueKey = await generateSigningKey();
  const signer = await createSigner('ticketping-queue', queueKey);
  const { db, replicas } = await booking(common, topicPrefix, JSON.stringify(publicJwks([queueKey])));
  const publish = async (seats: number): Promise<OnSale> => {
    const { events, seeded } = catalogEvents({ seats, maxSeatsPerOrder: 4 });
    await bus.publish('catalog.performances', events);
    await eventually(async () => (await seatCount(db, seeded.scheduleId)) === seats, 60_000);
    return seeded;
  };
  return {
    origins: replicas.map((r) => r.base),
    warmup: await publish(common.warmupSeats),
    race: await publish(common.seats),
    bookingDb: db,
    async fan(performanceId) {
      const id = randomUUID();
      return { id, headers: { 'content-type': 'application/json', 'x-internal-token': INTERNAL_TOKEN, 'x-user-id': id, 'x-user-role': 'USER', 'x-queue-token': await admission(signer, id, performanceId) } };
    },
    async stop() {
      for (const replica of replicas) await replica.stop();
      await bus.close();
      await db.drop();
      await releaseSlots();
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
  const { db, replicas } = await booking(common, topicPrefix, queueJwks);
  const gateway = await startServiceProcess(GATEWAY_MAIN, {
    INTERNAL_TOKEN, LOG_LEVEL: 'warn', REDIS_URL: testEnv.redisUrl, REDIS_KEY_PREFIX: `tp:${randomPrefix('benchgw')}`,
    // The gateway has one upstream URL per service (a Kubernetes Service); the bench runs one replica behind it.
    BOOKING_URL: replicas[0]!.base, CATALOG_URL: `http://127.0.0.1:${catalog.server.port}`,
    AUTH_JWKS: JSON.stringify(publicJwks([authKey])), QUEUE_JWKS: queueJwks,
    // One machine plays every fan: the per-IP limit would throttle the crowd, not protect anyone.
    RATE_LIMIT_PER_IP: '0',
  });
  const bearer = async (id: string, role: 'USER' | 'ADMIN') =>
    `Bearer ${(await authSigner.sign({ subject: id, audience: 'ticketping-api', expiresInSeconds: 3600, claims: { role } })).token}`;

  async function publish(seats: number): Promise<OnSale> {
    const seatsPerRow = 25;
    const sections = Math.max(1, Math.ceil(seats / 500));
    const rows = Math.ceil(seats / sections / seatsPerRow);
    if (sections * rows * seatsPerRow !== seats) throw new Error(`seat counts must be multiples of ${seatsPerRow * sections} through the gateway`);
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
    await eventually(async () => (await seatCount(db, scheduleId)) === seats, 60_000);
    return { performanceId: performance.id, scheduleId, seatIds: seatMap.items.map((s) => s.id) };
  }

  return {
    origins: [gateway.base],
    warmup: await publish(common.warmupSeats),
    race: await publish(common.seats),
    bookingDb: db,
    async fan(performanceId) {
      const id = randomUUID();
      return { id, headers: { 'content-type': 'application/json', authorization: await bearer(id, 'USER'), 'x-queue-token': await admission(queueSigner, id, performanceId) } };
    },
    async stop() {
      await gateway.stop();
      for (const replica of replicas) await replica.stop();
      await catalog.close();
      await db.drop();
      await releaseSlots();
    },
  };
}
