/**
 * `kill -9` of booking in the middle of a waitlist claim (issue 20): nothing is lost and nothing is
 * offered twice. Booking runs as its own process on Kafka, as in a pod.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSigner, generateSigningKey, publicJwks } from '@ticketping/auth-tokens';
import { createKafkaBus, type Bus } from '@ticketping/bus';
import type { Knex } from '@ticketping/db';
import { createTestDatabase, type TestDatabase } from '@ticketping/db/testing';
import { createRedis, queueKeys, type RedisClient } from '@ticketping/redis';
import { eventually, randomPrefix, testEnv } from '@ticketping/testing';
import { MIGRATIONS_DIRECTORY, SCHEMA } from '../src/migrate.ts';
import { startBookingProcess, type ServiceProcess } from './booking-process.ts';
import { INTERNAL_TOKEN, catalogEvents, quietLogger, recordEvents } from './harness.ts';

let db: TestDatabase;
let bus: Bus;
let booking: ServiceProcess | undefined;
let redis: RedisClient | undefined;
let admittedTo: string | undefined;
let blocker: Knex.Transaction | undefined;

test.after(async () => {
  if (blocker && !blocker.isCompleted()) await blocker.rollback();
  await booking?.stop();
  if (admittedTo) await redis?.del(queueKeys(admittedTo).active);
  await redis?.quit();
  await bus?.close();
  await db?.drop();
});

const fanHeaders = (fan: string, extra: Record<string, string> = {}) => ({ 'content-type': 'application/json', 'x-internal-token': INTERNAL_TOKEN, 'x-user-id': fan, ...extra });

test('kill -9 while a claim waits inside its transaction: the offer is still open after a restart, the claim then succeeds once, no seat is offered twice', async () => {
  db = await createTestDatabase(testEnv.postgresUrl, [{ directory: MIGRATIONS_DIRECTORY, schema: SCHEMA }]);
  const topicPrefix = `${randomPrefix('wlcrash')}.`;
  bus = createKafkaBus({ clientId: 'waitlist-crash-test', brokers: testEnv.kafkaBrokers, topicPrefix, logger: quietLogger() });
  const key = await generateSigningKey();
  const signer = await createSigner('ticketping-queue', key);
  const env = {
    DATABASE_URL: db.url, KAFKA_BROKERS: testEnv.kafkaBrokers.join(','), KAFKA_TOPIC_PREFIX: topicPrefix,
    INTERNAL_TOKEN, QUEUE_JWKS: JSON.stringify(publicJwks([key])), OUTBOX_POLL_INTERVAL_MS: '50', REDIS_URL: testEnv.redisUrl,
  };
  const recorder = await recordEvents(bus, ['booking.waitlist']);
  booking = await startBookingProcess(env);
  const { events, seeded } = catalogEvents({ seats: 2, price: 30_000 });
  await bus.publish('catalog.performances', events);
  await eventually(async () => Number((await db.knex('seats').count<{ n: number }[]>('* as n'))[0]!.n) === 2, 120_000);

  // One fan holds both seats (admitted as the waiting room does it), two fans wait.
  const holder = randomUUID();
  redis = createRedis({ url: testEnv.redisUrl });
  admittedTo = seeded.performanceId;
  await redis.zadd(queueKeys(seeded.performanceId).active, Date.now() + 600_000, holder);
  const { token } = await signer.sign({ subject: holder, audience: seeded.performanceId, expiresInSeconds: 600 });
  const placed = await fetch(`${booking.base}/api/v1/orders`, {
    method: 'POST', headers: fanHeaders(holder, { 'x-queue-token': token }), body: JSON.stringify({ scheduleId: seeded.scheduleId, seatIds: seeded.seatIds }),
  });
  assert.is(placed.status, 201, booking.output());
  const order = (await placed.json()) as { id: string };
  const [w1, w2] = [randomUUID(), randomUUID()];
  for (const fan of [w1, w2]) {
    const joined = await fetch(`${booking.base}/api/v1/waitlist/${seeded.scheduleId}/entries`, { method: 'POST', headers: fanHeaders(fan), body: '{"seats":1}' });
    assert.is(joined.status, 201);
  }
  assert.is((await fetch(`${booking.base}/api/v1/orders/${order.id}`, { method: 'DELETE', headers: fanHeaders(holder) })).status, 200);
  const offerOf = async (fan: string) => ((await (await fetch(`${booking!.base}/api/v1/waitlist/${seeded.scheduleId}/entries/me`, { headers: fanHeaders(fan) })).json()) as { offer: { id: string; seats: Array<{ id: string }> } }).offer;
  const offer = await offerOf(w1);
  assert.ok(offer, 'w1 was offered a seat');

  // Hold w1's offer row so the claim blocks inside its transaction…
  blocker = await db.knex.transaction();
  await blocker('waitlist_offers').where('id', offer.id).forUpdate().select('id');
  const abandoned = new AbortController();
  const claiming = fetch(`${booking.base}/api/v1/waitlist/offers/${offer.id}/claim`, { method: 'POST', headers: fanHeaders(w1), signal: abandoned.signal }).catch((error: unknown) => error);
  await eventually(async () => {
    const waiting = await db.knex.raw(`select 1 from pg_stat_activity where datname = ? and application_name = 'booking' and wait_event_type = 'Lock'`, [db.name]);
    return waiting.rows.length > 0;
  }, 120_000);
  // …and kill it there.
  await booking.kill9();
  abandoned.abort(); // the fan gives up on an answer that will never come
  await claiming;
  await blocker.commit();
  assert.is((await db.knex('waitlist_offers').where('id', offer.id).first('status')).status, 'OPEN');
  assert.equal(await db.knex('seat_holds').where('offer_id', offer.id).pluck('seat_id'), offer.seats.map((s) => s.id));
  assert.is(await db.knex('orders').where('user_id', w1).first(), undefined);

  // After a restart the fan retries: one order, and a retry of that answers the same order.
  booking = await startBookingProcess(env);
  const claimed = await fetch(`${booking.base}/api/v1/waitlist/offers/${offer.id}/claim`, { method: 'POST', headers: fanHeaders(w1) });
  assert.is(claimed.status, 201, booking.output());
  const claimedOrder = (await claimed.json()) as { id: string; status: string };
  assert.is(claimedOrder.status, 'PENDING_PAYMENT');
  const retried = await fetch(`${booking.base}/api/v1/waitlist/offers/${offer.id}/claim`, { method: 'POST', headers: fanHeaders(w1) });
  assert.equal([retried.status, ((await retried.json()) as { id: string }).id], [200, claimedOrder.id]);

  const w2Offer = await offerOf(w2);
  assert.equal(await db.knex('seat_holds').orderBy('order_id').select('order_id', 'offer_id'), [
    { order_id: claimedOrder.id, offer_id: null },
    { order_id: null, offer_id: w2Offer.id },
  ], 'both seats held, each by one owner');
  assert.is(Number((await db.knex('waitlist_offers').count<{ n: number }[]>('* as n'))[0]!.n), 2, 'two seats, two offers: nothing offered twice');
  // The events went out once each (counted by offer: delivery is at least once).
  const offersIn = (type: string) => new Set(recorder.of(type).map((e) => (e.payload as { offerId: string }).offerId));
  await eventually(() => offersIn('waitlist.offer-claimed').size === 1 && offersIn('waitlist.offer-made').size === 2, 120_000);
  assert.is(Number((await db.knex('outbox').where('type', 'waitlist.offer-claimed').count<{ n: number }[]>('* as n'))[0]!.n), 1);
  await recorder.stop();
});

test.run();
