/**
 * Waiting rooms Redis lost come back from catalog (the real catalog service on its own database):
 * at start, and within the rebuild period after a wipe mid-sale. An existing queue is never reset,
 * and a queue missing from the index is listed again (the index is reconciled, never trusted).
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMemoryBus, type Bus } from '@ticketping/bus';
import { MIGRATIONS_DIRECTORY as CATALOG_MIGRATIONS, SCHEMA as CATALOG_SCHEMA } from '@ticketping/catalog/migrate';
import { createService as createCatalog, type CatalogService } from '@ticketping/catalog/service';
import { createTestDatabase, type TestDatabase } from '@ticketping/db/testing';
import { AppError, listen, type RunningServer } from '@ticketping/http';
import { createLogger } from '@ticketping/logger';
import { createMetrics } from '@ticketping/metrics';
import { QUEUE_INDEX_KEY, createRedis, queueKeys, type RedisClient } from '@ticketping/redis';
import { eventually, testEnv } from '@ticketping/testing';
import { createService, type QueueService } from '../src/service.ts';
import { INTERNAL_TOKEN, dropQueues, quietLogger, testConfig } from './helpers.ts';

const REBUILD_MS = 200;
const ADMIN = { 'x-user-id': randomUUID(), 'x-user-role': 'ADMIN' };
let db: TestDatabase;
let bus: Bus;
let catalog: CatalogService;
let catalogServer: RunningServer;
let catalogUrl = '';
let redis: RedisClient;
let queue: QueueService;
const performances: string[] = [];

const DAY = 24 * 3600_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

/** A performance as an admin creates it in catalog: 2 schedules × 12 seats. */
async function publish(overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await fetch(`${catalogUrl}/api/v1/performances`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-internal-token': INTERNAL_TOKEN, ...ADMIN },
    body: JSON.stringify({
      title: 'Hamlet', venue: 'National Theater', description: 'To be', bookingOpensAt: inDays(-1), bookingClosesAt: inDays(20), maxSeatsPerOrder: 4,
      schedules: [{ startsAt: inDays(25) }, { startsAt: inDays(26) }],
      sections: [{ name: 'Floor', rows: 3, seatsPerRow: 4, grade: 'VIP', price: 150000, currency: 'KRW' }],
      queue: { capacity: 2, admitPerMinute: 600 },
      ...overrides,
    }),
  });
  assert.is(res.status, 201, await res.clone().text());
  const { id } = (await res.json()) as { id: string };
  performances.push(id);
  return id;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    return error instanceof AppError ? error.code : (error as Error).message;
  }
}

test.before(async () => {
  db = await createTestDatabase(testEnv.postgresUrl, [{ directory: CATALOG_MIGRATIONS, schema: CATALOG_SCHEMA }]);
  const silent = createLogger({ service: 'catalog', level: 'silent', destination: new Writable({ write(_c, _e, done) { done(); } }) });
  bus = createMemoryBus({ logger: silent });
  catalog = createCatalog({ config: { INTERNAL_TOKEN, OUTBOX_POLL_MS: 50, SEAT_MAP_TTL_MS: 250 }, logger: silent, metrics: createMetrics('catalog', { defaultMetrics: false }), db: db.knex, bus });
  catalogServer = await listen(catalog.app, 0);
  catalogUrl = `http://127.0.0.1:${catalogServer.port}`;
  redis = createRedis({ url: testEnv.redisUrl });
});

test.after(async () => {
  await queue?.stop();
  await catalogServer.close();
  await bus.close();
  await dropQueues(redis, performances);
  await redis.quit();
  await db.drop();
});

test('at start, every performance on sale gets its waiting room from catalog (no event needed)', async () => {
  const onSale = await publish();
  const upcoming = await publish({ bookingOpensAt: inDays(2) });
  const cancelled = await publish();
  assert.is((await fetch(`${catalogUrl}/api/v1/performances/${cancelled}/cancel`, { method: 'POST', headers: { 'x-internal-token': INTERNAL_TOKEN, ...ADMIN } })).status, 200);

  // no bus: the queue hears of none of them through events
  queue = await createService({
    // no admission loop to speak of: it would tick other suites' queues in this shared Redis
    config: testConfig({ CATALOG_URL: catalogUrl, QUEUE_REBUILD_INTERVAL_MS: String(REBUILD_MS), QUEUE_TICK_MS: '3600000' }),
    logger: quietLogger(), metrics: createMetrics('queue', { defaultMetrics: false }), redis,
  });
  await queue.start();
  const summary = await eventually(() => queue.room.summary(onSale).catch(() => undefined), 10_000);
  assert.equal([summary.capacity, summary.admitPerMinute, summary.state], [2, 600, 'OPEN']);
  assert.is(await redis.hget(queueKeys(onSale).config, 'totalSeats'), '24', 'seats of every schedule, as performance.published says');
  const preSale = await eventually(() => queue.room.summary(upcoming).catch(() => undefined), 10_000);
  assert.is(preSale.opensAt, (await (await fetch(`${catalogUrl}/api/v1/performances/${upcoming}`, { headers: { 'x-internal-token': INTERNAL_TOKEN } })).json() as { bookingOpensAt: string }).bookingOpensAt);
  assert.is(await codeOf(queue.room.summary(cancelled)), 'QUEUE_NOT_FOUND', 'a cancelled performance gets no room');
  assert.ok((await redis.smembers(QUEUE_INDEX_KEY)).includes(onSale));
});

test('Redis wiped mid-sale: the waiting room answers again within the rebuild period, and admits again', async () => {
  const id = performances[0]!;
  const fans = [randomUUID(), randomUUID(), randomUUID()];
  for (const fan of fans) await queue.room.enter(id, fan);

  await redis.del(...Object.values(queueKeys(id)));
  await redis.srem(QUEUE_INDEX_KEY, id);
  const wipedAt = Date.now();

  const entry = await eventually(() => queue.room.enter(id, fans[2]!).catch(() => undefined), 10_000, 50);
  const recoveredMs = Date.now() - wipedAt;
  assert.ok(recoveredMs < 10_000, `back after ${recoveredMs} ms`);
  // the first fan back is at the head of the new line, and is let in at once
  assert.equal([entry.status, entry.performanceId], ['ADMITTED', id]);
  assert.is((await queue.room.enter(id, fans[0]!)).status, 'ADMITTED', 'the second of two slots');
  assert.is((await queue.room.enter(id, fans[1]!)).position, 1);
  assert.ok((await redis.smembers(QUEUE_INDEX_KEY)).includes(id), 'listed in the index again');
});

test('the rebuild never resets a queue that exists, and lists one the index lost', async () => {
  await queue.stop(); // this test runs the passes itself: the periodic one would repair the index first
  const id = performances[0]!;
  await queue.room.configure(id, { capacity: 9, state: 'PAUSED' });
  const waiting = randomUUID();
  await queue.room.enter(id, waiting);
  const before = await queue.room.status(id, waiting);
  await redis.srem(QUEUE_INDEX_KEY, id);

  const result = await queue.rebuild();
  assert.equal(result.created, []);
  assert.equal(result.reindexed, [id]);
  const summary = await queue.room.summary(id);
  assert.equal([summary.capacity, summary.state], [9, 'PAUSED'], 'admin changes kept');
  assert.is((await queue.room.status(id, waiting)).position, before.position, 'the line kept');
  assert.equal(await queue.rebuild(), { created: [], reindexed: [] }, 'a second pass changes nothing');
});

test.run();
