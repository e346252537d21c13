/**
 * Admission tokens die with their slot: booking and the real waiting room on one Redis and one
 * bus. A token still inside its `exp` creates no order once the fan left, finished an order, ran
 * out of time, or once Redis lost the admission (a wipe, a restore to an older snapshot): the
 * distinct fans whose order POST succeeds never outnumber the capacity.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateSigningKey, type PrivateJwk } from '@ticketping/auth-tokens';
import { createMemoryBus, type Bus } from '@ticketping/bus';
import { createMetrics } from '@ticketping/metrics';
import { loadConfig } from '@ticketping/queue/config';
import { createService as createQueue, type QueueService } from '@ticketping/queue/service';
import { QUEUE_INDEX_KEY, createRedis, queueKeys, type RedisClient } from '@ticketping/redis';
import { eventually, testEnv } from '@ticketping/testing';
import { INTERNAL_TOKEN, paymentEvent, quietLogger, startBooking, type Body, type Harness, type SeededPerformance } from './harness.ts';

let key: PrivateJwk;
let redis: RedisClient;
let bus: Bus;
let queue: QueueService;
let h: Harness;
const performances: string[] = [];

const queueService = (env: Record<string, string> = {}) => createQueue({
  // ticks only when the test acts (enter, leave, PATCH): a running loop would tick other suites' queues in this shared Redis
  config: loadConfig({ INTERNAL_TOKEN, LOG_LEVEL: 'silent', QUEUE_SIGNING_KEY: JSON.stringify(key), QUEUE_REBUILD_INTERVAL_MS: '3600000', QUEUE_TICK_MS: '3600000', ...env }),
  logger: quietLogger(), metrics: createMetrics('queue', { defaultMetrics: false }), redis, bus,
});

test.before(async () => {
  key = await generateSigningKey();
  redis = createRedis({ url: testEnv.redisUrl });
  bus = createMemoryBus({ logger: quietLogger() });
  queue = await queueService();
  await queue.start();
  h = await startBooking({ bus, queue: { key, redis } });
});

test.after(async () => {
  await h.close();
  await queue.stop();
  await bus.close();
  for (const id of performances) await redis.del(...Object.values(queueKeys(id)));
  if (performances.length) await redis.srem(QUEUE_INDEX_KEY, ...performances);
  await redis.quit();
});

/** A performance on sale in booking (10 seats) with its waiting room. */
async function onSale(capacity: number, state: 'OPEN' | 'PAUSED' = 'OPEN', q: QueueService = queue): Promise<SeededPerformance> {
  const seeded = await h.seed({ seats: 10, maxSeatsPerOrder: 2 });
  performances.push(seeded.performanceId);
  await q.store.create(seeded.performanceId, { capacity, admitPerMinute: 6000, opensAtMs: 0, closesAtMs: 0, totalSeats: 10 });
  if (state === 'PAUSED') await q.store.configure(seeded.performanceId, { state });
  return seeded;
}

/** The fan's token, as the waiting room hands it out on a poll once admitted. */
async function tokenOf(performanceId: string, fan: string, q: QueueService = queue): Promise<string> {
  const entry = await eventually(async () => {
    const polled = await q.room.status(performanceId, fan);
    return polled.status === 'ADMITTED' ? polled : undefined;
  }, 5000);
  return entry.queueToken!;
}

let seatCursor = 0;
async function order(seeded: SeededPerformance, fan: string, token: string) {
  const seat = seeded.seatIds[seatCursor++ % seeded.seatIds.length]!;
  const res = await fetch(`${h.base}/api/v1/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-internal-token': INTERNAL_TOKEN, 'x-user-id': fan, 'x-user-role': 'USER', 'x-queue-token': token },
    body: JSON.stringify({ scheduleId: seeded.scheduleId, seatIds: [seat] }),
  });
  return { status: res.status, body: (await res.json()) as Body & { reason?: string; amount: number } };
}

const refusedAsEnded = (answer: Awaited<ReturnType<typeof order>>, why: string) =>
  assert.equal([answer.status, answer.body.code, answer.body.reason], [403, 'QUEUE_TOKEN_INVALID', 'ADMISSION_ENDED'], why);

test('a fan who left the waiting room cannot book with the old token; the fan who got the slot can', async () => {
  const seeded = await onSale(1);
  const [leaver, next] = [randomUUID(), randomUUID()];
  await queue.room.enter(seeded.performanceId, leaver);
  const token = await tokenOf(seeded.performanceId, leaver);
  await queue.room.enter(seeded.performanceId, next);
  assert.is((await order(seeded, leaver, token)).status, 201, 'booking with a live slot');

  await queue.room.leave(seeded.performanceId, leaver);
  refusedAsEnded(await order(seeded, leaver, token), 'after leaving');
  assert.is((await order(seeded, next, await tokenOf(seeded.performanceId, next))).status, 201, 'the slot went to the next fan');
});

test('after the order is confirmed or cancelled, the token creates no new order', async () => {
  const seeded = await onSale(5);
  const [payer, canceller] = [randomUUID(), randomUUID()];
  for (const fan of [payer, canceller]) await queue.room.enter(seeded.performanceId, fan);
  const [payerToken, cancellerToken] = [await tokenOf(seeded.performanceId, payer), await tokenOf(seeded.performanceId, canceller)];

  const paid = await order(seeded, payer, payerToken);
  assert.is(paid.status, 201);
  await h.service.handleEvent(paymentEvent('payment.succeeded', { paymentId: randomUUID(), orderId: paid.body.id, userId: payer, amount: paid.body.amount }));
  // booking's order.confirmed reaches the queue over the bus and frees the slot
  await eventually(async () => (await order(seeded, payer, payerToken)).status === 403, 10_000, 100);
  refusedAsEnded(await order(seeded, payer, payerToken), 'after the confirmation');

  const held = await order(seeded, canceller, cancellerToken);
  assert.is(held.status, 201);
  const cancel = await fetch(`${h.base}/api/v1/orders/${held.body.id}`, { method: 'DELETE', headers: { 'x-internal-token': INTERNAL_TOKEN, 'x-user-id': canceller, 'x-user-role': 'USER' } });
  assert.is(cancel.status, 200);
  await eventually(async () => (await order(seeded, canceller, cancellerToken)).status === 403, 10_000, 100);
  refusedAsEnded(await order(seeded, canceller, cancellerToken), 'after the cancellation');
});

test('after the active window ran out, the token creates no order even before its exp', async () => {
  // a second replica with 1 s windows, on its own performance (not started: the test ticks it)
  const brief = await queueService({ QUEUE_ACTIVE_WINDOW_SECONDS: '1', QUEUE_MAX_ACTIVE_SECONDS: '1' });
  const seeded = await onSale(1, 'OPEN', brief);
  const fan = randomUUID();
  await brief.room.enter(seeded.performanceId, fan);
  const token = await tokenOf(seeded.performanceId, fan, brief);
  await eventually(async () => (await brief.admission.tick(seeded.performanceId)).active === 0, 5000, 100);
  refusedAsEnded(await order(seeded, fan, token), 'after the window');
});

test('Redis wiped: tokens from before the loss admit nobody; the fans who book never outnumber the capacity', async () => {
  const capacity = 2;
  const seeded = await onSale(capacity);
  const before = [randomUUID(), randomUUID()];
  const tokens = new Map<string, string>();
  for (const fan of before) {
    await queue.room.enter(seeded.performanceId, fan);
    tokens.set(fan, await tokenOf(seeded.performanceId, fan));
  }

  await redis.del(...Object.values(queueKeys(seeded.performanceId)));
  // the rebuild re-creates the room from catalog's settings (rebuild.int.test.ts in the queue)
  await queue.store.create(seeded.performanceId, { capacity, admitPerMinute: 6000, opensAtMs: 0, closesAtMs: 0, totalSeats: 10 });
  const after = [randomUUID(), randomUUID()];
  for (const fan of after) {
    await queue.room.enter(seeded.performanceId, fan);
    tokens.set(fan, await tokenOf(seeded.performanceId, fan));
  }

  const booked = new Set<string>();
  for (const [fan, token] of tokens) if ((await order(seeded, fan, token)).status === 201) booked.add(fan);
  assert.equal([...booked].sort(), [...after].sort());
  assert.ok(booked.size <= capacity);
});

test('Redis restored to a snapshot from before an admission round: no more fans book than the capacity', async () => {
  const capacity = 2;
  const seeded = await onSale(capacity, 'PAUSED');
  const fans = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  for (const fan of fans) await queue.room.enter(seeded.performanceId, fan);
  const keys = Object.values(queueKeys(seeded.performanceId));
  const snapshot = new Map<string, Buffer>();
  for (const k of keys) {
    const dumped = await redis.dumpBuffer(k);
    if (dumped) snapshot.set(k, dumped);
  }

  // the admission round the restore will forget: the first two fans get tokens
  await queue.room.configure(seeded.performanceId, { state: 'OPEN' });
  const tokens = new Map<string, string>();
  for (const fan of fans.slice(0, capacity)) tokens.set(fan, await tokenOf(seeded.performanceId, fan));

  // restore: every key back as it was in the snapshot (keys created since are gone)
  await redis.del(...keys);
  for (const [k, dumped] of snapshot) await redis.restore(k, 0, dumped, 'REPLACE');
  // the first two hand their places to friends and keep their tokens; the other two are admitted
  for (const fan of fans.slice(0, capacity)) await queue.room.leave(seeded.performanceId, fan);
  await queue.room.configure(seeded.performanceId, { state: 'OPEN' });
  for (const fan of fans.slice(capacity)) tokens.set(fan, await tokenOf(seeded.performanceId, fan));

  const booked = new Set<string>();
  for (const [fan, token] of tokens) if ((await order(seeded, fan, token)).status === 201) booked.add(fan);
  assert.ok(booked.size <= capacity, `${booked.size} fans booked on ${capacity} slots`);
  assert.equal([...booked].sort(), fans.slice(capacity).sort());
});

test.run();
