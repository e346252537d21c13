import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSigner, generateSigningKey, publicJwks } from '@ticketping/auth-tokens';
import { createKafkaBus, type Bus } from '@ticketping/bus';
import { createTestDatabase, type TestDatabase } from '@ticketping/db/testing';
import { createRedis, queueKeys, type RedisClient } from '@ticketping/redis';
import { eventually, randomPrefix, testEnv } from '@ticketping/testing';
import { MIGRATIONS_DIRECTORY, SCHEMA } from '../src/migrate.ts';
import { startBookingProcess, type ServiceProcess } from './booking-process.ts';
import { INTERNAL_TOKEN, catalogEvents, paymentEvent, quietLogger, recordEvents } from './harness.ts';

let db: TestDatabase;
let bus: Bus;
let booking: ServiceProcess | undefined;
let redis: RedisClient | undefined;
let admittedTo: string | undefined;

test.after(async () => {
  await booking?.stop();
  if (admittedTo) await redis?.del(queueKeys(admittedTo).active);
  await redis?.quit();
  await bus?.close();
  await db?.drop();
});

test('kill -9 booking while it applies payment.succeeded; after a restart the order still reaches CONFIRMED', async () => {
  db = await createTestDatabase(testEnv.postgresUrl, [{ directory: MIGRATIONS_DIRECTORY, schema: SCHEMA }]);
  const topicPrefix = `${randomPrefix('crash')}.`;
  bus = createKafkaBus({ clientId: 'crash-test', brokers: testEnv.kafkaBrokers, topicPrefix, logger: quietLogger() });
  const key = await generateSigningKey();
  const signer = await createSigner('ticketping-queue', key);
  const env = {
    DATABASE_URL: db.url, KAFKA_BROKERS: testEnv.kafkaBrokers.join(','), KAFKA_TOPIC_PREFIX: topicPrefix,
    INTERNAL_TOKEN, QUEUE_JWKS: JSON.stringify(publicJwks([key])), OUTBOX_POLL_INTERVAL_MS: '50', REDIS_URL: testEnv.redisUrl,
  };
  const recorder = await recordEvents(bus, ['booking.orders']);

  booking = await startBookingProcess(env);
  // Catalog publishes the seats; booking builds its copy from Kafka.
  const { events, seeded } = catalogEvents({ seats: 4, price: 30_000 });
  await bus.publish('catalog.performances', events);
  await eventually(async () => Number((await db.knex('seats').count<{ n: number }[]>('* as n'))[0]!.n) === 4, 30_000);

  const fan = randomUUID();
  // admitted as the waiting room does it: a live slot (booking checks it) and the token
  redis = createRedis({ url: testEnv.redisUrl });
  admittedTo = seeded.performanceId;
  await redis.zadd(queueKeys(seeded.performanceId).active, Date.now() + 600_000, fan);
  const { token } = await signer.sign({ subject: fan, audience: seeded.performanceId, expiresInSeconds: 600 });
  const created = await fetch(`${booking.base}/api/v1/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-internal-token': INTERNAL_TOKEN, 'x-user-id': fan, 'x-queue-token': token },
    body: JSON.stringify({ scheduleId: seeded.scheduleId, seatIds: [seeded.seatIds[0]] }),
  });
  assert.is(created.status, 201, booking.output());
  const order = (await created.json()) as { id: string; amount: number };
  await eventually(() => recorder.of('order.created').some((e) => e.key === order.id), 15_000);

  // Hold the order row so booking's confirmation blocks in the middle of its transaction…
  const blocker = await db.knex.transaction();
  await blocker('orders').where('id', order.id).forUpdate().select('id');
  const paymentId = randomUUID();
  await bus.publish('payment.payments', [paymentEvent('payment.succeeded', { paymentId, orderId: order.id, userId: fan, amount: order.amount })]);
  await eventually(async () => {
    const waiting = await db.knex.raw(`select 1 from pg_stat_activity where datname = ? and application_name = 'booking' and wait_event_type = 'Lock'`, [db.name]);
    return waiting.rows.length > 0;
  }, 30_000);
  // …and kill it there: the payment succeeded, the order is not confirmed.
  await booking.kill9();
  await blocker.commit();
  assert.is((await db.knex('orders').where('id', order.id).first('status')).status, 'PENDING_PAYMENT');

  booking = await startBookingProcess(env);
  await eventually(async () => (await db.knex('orders').where('id', order.id).first('status')).status === 'CONFIRMED', 90_000, 100);
  const confirmed = await eventually(() => recorder.of('order.confirmed').find((e) => e.key === order.id), 30_000);
  assert.is((confirmed.payload as { paymentId: string }).paymentId, paymentId);
  assert.is(Number((await db.knex('inbox').where('consumer', 'booking').count<{ n: number }[]>('* as n'))[0]!.n), 3, 'two catalog events and the payment, each applied once');
  assert.equal(await db.knex('seat_holds').select('seat_id', 'order_id'), [{ seat_id: seeded.seatIds[0], order_id: order.id }]);
  await recorder.stop();
});

test.run();
