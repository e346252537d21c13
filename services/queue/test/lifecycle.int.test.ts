import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSigner, generateSigningKey } from '@ticketping/auth-tokens';
import { AppError } from '@ticketping/http';
import { createMetrics } from '@ticketping/metrics';
import { createRedis, queueKeys, type RedisClient } from '@ticketping/redis';
import { eventually, testEnv } from '@ticketping/testing';
import { createService, type QueueService } from '../src/service.ts';
import { drawOrder, seedCommitment } from '../src/waiting-room/draw.ts';
import { createWaitingRoom } from '../src/waiting-room/waiting-room.service.ts';
import { dropQueues, quietLogger, sleep, testConfig } from './helpers.ts';

// Short clocks: a 1 s active window (2 s at most), 1 s grace, polls every 0.1–1 s.
let redis: RedisClient;
let queue: QueueService;
const queues: string[] = [];

test.before(async () => {
  redis = createRedis({ url: testEnv.redisUrl });
  const config = testConfig({
    QUEUE_ACTIVE_WINDOW_SECONDS: '1', QUEUE_MAX_ACTIVE_SECONDS: '2', QUEUE_GRACE_SECONDS: '1',
    QUEUE_MIN_POLL_MS: '100', QUEUE_MAX_POLL_MS: '1000',
  });
  queue = await createService({ config, logger: quietLogger(), metrics: createMetrics('queue', { defaultMetrics: false }), redis });
});

test.after(async () => {
  await dropQueues(redis, queues);
  await redis.quit();
});

async function newQueue(options: { capacity?: number; admitPerMinute?: number; opensAtMs?: number; totalSeats?: number } = {}): Promise<string> {
  const id = randomUUID();
  queues.push(id);
  await queue.store.create(id, { capacity: options.capacity ?? 1, admitPerMinute: options.admitPerMinute ?? 6000, opensAtMs: options.opensAtMs ?? 0, closesAtMs: 0, totalSeats: options.totalSeats ?? 0 });
  // out of the shared index: other suites' admission loops (same Redis) walk it, and these tests
  // decide themselves when a tick happens (the draw order is read from this suite's own ticks)
  await queue.store.forget(id);
  return id;
}

const status = (id: string, user: string) => queue.room.status(id, user);
const event = (type: string, payload: Record<string, unknown>, occurredAt = new Date()) =>
  queue.handleEvent({ id: randomUUID(), type, key: String(payload.orderId ?? payload.performanceId), payload, occurredAt: occurredAt.toISOString() });

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    return error instanceof AppError ? error.code : (error as Error).name;
  }
}

/** Fans who keep polling while `check` is awaited. */
async function whilePolling<T>(id: string, users: string[], check: () => Promise<T>): Promise<T> {
  let polling = true;
  const pollers = users.map(async (user) => { while (polling) { await status(id, user); await sleep(100); } });
  try {
    return await check();
  } finally {
    polling = false;
    await Promise.all(pollers);
  }
}

test('an active window that runs out frees the slot for the next fan', async () => {
  const id = await newQueue();
  const [a, b] = [randomUUID(), randomUUID()];
  assert.is((await queue.room.enter(id, a)).status, 'ADMITTED', 'an empty line admits at once');
  assert.is((await queue.room.enter(id, b)).position, 1);
  await whilePolling(id, [b], () => eventually(async () => (await queue.admission.tick(id)).admitted.includes(b), 5000));
  const expired = await status(id, a);
  assert.equal([expired.status, expired.reason, expired.queueToken], ['EXPIRED', 'EXPIRED', null]);
  assert.is((await status(id, b)).status, 'ADMITTED');
});

test('leaving frees the slot at once, and the next fan in line gets it', async () => {
  const id = await newQueue();
  const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
  await queue.room.enter(id, a);
  await queue.room.enter(id, b);
  await queue.room.enter(id, c);
  await queue.room.leave(id, a);
  assert.equal([(await status(id, b)).status, (await status(id, c)).position], ['ADMITTED', 1]);
  assert.is(await codeOf(status(id, a)), 'NOT_IN_QUEUE');
  await queue.room.leave(id, a); // leaving twice is harmless
  await queue.room.leave(id, c);
  assert.is(await redis.zcard(queueKeys(id).waiting), 0);
});

test('order.confirmed and order.cancelled free the slot at once; replays and stale events change nothing', async () => {
  const id = await newQueue();
  const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
  const before = new Date(Date.now() - 60_000);
  await queue.room.enter(id, a);
  await queue.room.enter(id, b);
  await queue.room.enter(id, c);
  const order = { orderId: randomUUID(), userId: a, performanceId: id, scheduleId: randomUUID(), seatIds: ['s1', 's2'], paymentId: randomUUID() };
  await event('order.confirmed', { ...order, userId: b }, before); // b is not admitted: ignored
  await event('order.confirmed', order);
  assert.is((await status(id, b)).status, 'ADMITTED');
  await event('order.confirmed', order); // redelivered: a is gone already, b untouched
  await event('order.cancelled', { ...order, orderId: randomUUID(), userId: b }, before); // happened before b's admission
  assert.is((await status(id, b)).status, 'ADMITTED');
  await event('order.cancelled', { ...order, orderId: randomUUID(), userId: b });
  assert.is((await status(id, c)).status, 'ADMITTED');
  assert.is(await redis.hget(queueKeys(id).stats, 'seatsTaken'), '2', 'confirmed seats counted once');
});

test('order.created extends the active window, never past the maximum, and the token follows', async () => {
  const id = await newQueue();
  const a = randomUUID();
  const first = await queue.room.enter(id, a);
  const firstEnd = Date.parse(first.expiresAt!);
  const claimedAt = firstEnd - 1000;
  await sleep(300);
  const order = { orderId: randomUUID(), userId: a, performanceId: id, scheduleId: randomUUID(), seatIds: ['s1'], amount: 100, currency: 'EUR', expiresAt: new Date().toISOString() };
  await event('order.created', order);
  const extended = await status(id, a);
  assert.ok(Date.parse(extended.expiresAt!) > firstEnd, 'extended');
  assert.is.not(extended.queueToken, first.queueToken, 'a token for the new window');
  // an order a minute later would extend the window past the maximum: it is capped instead (no
  // sleep here: with 1 s windows, a slow machine let the window end before the event came)
  await event('order.created', { ...order, orderId: randomUUID() });
  await event('order.created', { ...order, orderId: randomUUID() }, new Date(Date.now() + 60_000));
  assert.is(Date.parse((await status(id, a)).expiresAt!), claimedAt + 2000, 'capped at the maximum total');
  assert.is(await redis.hget(queueKeys(id).stats, 'seatsTaken'), '3');
  await event('order.created', order); // replayed: seats not counted twice
  await event('order.expired', order);
  await event('order.expired', order);
  assert.is(await redis.hget(queueKeys(id).stats, 'seatsTaken'), '2');
});

test('a waiting fan who stops polling loses the place and the next fan gets the slot; one who polls keeps it', async () => {
  const id = await newQueue();
  const [holder, ghost, b] = [randomUUID(), randomUUID(), randomUUID()];
  await queue.room.enter(id, holder);
  await queue.room.enter(id, ghost);
  await queue.room.enter(id, b);
  await queue.store.configure(id, { state: 'PAUSED' });
  await queue.room.leave(id, holder);
  // while paused, the sweep drops the silent fan; the one who polls stays
  await whilePolling(id, [b], () => eventually(async () => {
    await queue.admission.tick(id);
    return (await status(id, b)).position === 1;
  }, 6000));
  const lost = await status(id, ghost);
  assert.equal([lost.status, lost.reason], ['EXPIRED', 'ABANDONED']);
  await queue.room.configure(id, { state: 'OPEN' });
  assert.is((await status(id, b)).status, 'ADMITTED');
  assert.is(await redis.hget(queueKeys(id).stats, 'abandonedTotal'), '1');
  // coming back after losing the place: a new entry at the back of the line
  assert.is((await queue.room.enter(id, ghost)).status, 'WAITING');
});

test('an admitted fan who never comes to claim the slot loses it soon, not after the whole window', async () => {
  const id = await newQueue();
  const [a, b] = [randomUUID(), randomUUID()];
  await queue.store.configure(id, { state: 'PAUSED' });
  await queue.room.enter(id, a);
  await queue.room.enter(id, b);
  await queue.room.configure(id, { state: 'OPEN' }); // admits a, who never polls again
  const admittedAt = Date.now();
  await whilePolling(id, [b], () => eventually(async () => (await queue.admission.tick(id)).admitted.includes(b), 6000));
  assert.ok(Date.now() - admittedAt < 4000);
  assert.equal([(await status(id, a)).status, (await status(id, a)).reason], ['EXPIRED', 'ABANDONED']);
});

test('a scheduled open admits the pre-queue in the order recomputed from the published seed, later arrivals after them', async () => {
  // the open is far off while the early fans enter (a slow machine must not reach it mid-loop),
  // then moved close, as a republished performance moves it
  const id = await newQueue({ capacity: 100, opensAtMs: Date.now() + 60_000 });
  const early = Array.from({ length: 30 }, () => randomUUID());
  for (const user of early) {
    const entry = await queue.room.enter(id, user);
    assert.is(entry.reason, 'PRE_QUEUE');
    assert.ok(entry.etaSeconds >= 1 && entry.pollAfterMs <= 1000);
  }
  const before = await queue.room.summary(id);
  assert.is(before.draw?.seed, null, 'the seed is secret until the open');
  assert.is(before.waiting, 30);
  await queue.store.configure(id, { state: 'PAUSED' });
  const opensAtMs = Date.now() + 300;
  await queue.store.create(id, { capacity: 100, admitPerMinute: 6000, opensAtMs, closesAtMs: 0, totalSeats: 0 });
  await queue.store.forget(id);
  const late = [randomUUID(), randomUUID(), randomUUID()];
  await sleep(opensAtMs - Date.now() + 50); // a wall-clock moment, nothing to poll for
  assert.is((await queue.room.enter(id, late[0]!)).reason, null);
  await queue.room.enter(id, late[1]!);
  assert.is((await queue.room.enter(id, late[2]!)).position, 33, 'behind every pre-queued fan');

  await queue.store.configure(id, { state: 'OPEN' });
  const admitted: string[] = [];
  await eventually(async () => {
    admitted.push(...(await queue.admission.tick(id)).admitted);
    return admitted.length === 33;
  }, 5000);
  const { draw } = await queue.room.summary(id);
  assert.ok(draw?.seed);
  assert.is(draw.commitment, seedCommitment(draw.seed));
  assert.is(draw.preQueued, 30);
  assert.equal(admitted, [...drawOrder(draw.seed, early), ...late]);
});

test('PAUSED admits nobody; CLOSED and SOLD_OUT refuse entries, and waiting fans learn it on their next poll', async () => {
  const id = await newQueue({ capacity: 10 });
  await queue.room.configure(id, { state: 'PAUSED' });
  const [a, b] = [randomUUID(), randomUUID()];
  await queue.room.enter(id, a);
  await queue.room.enter(id, b);
  assert.is((await queue.admission.tick(id)).admitted.length, 0);
  assert.is((await status(id, a)).status, 'WAITING');

  await queue.room.configure(id, { state: 'CLOSED' });
  assert.is(await codeOf(queue.room.enter(id, randomUUID())), 'QUEUE_CLOSED');
  assert.equal([(await status(id, a)).status, (await status(id, a)).reason], ['EXPIRED', 'QUEUE_CLOSED']);

  await event('performance.sold-out', { performanceId: id });
  assert.is(await codeOf(queue.room.enter(id, randomUUID())), 'SOLD_OUT');
  assert.equal([(await status(id, b)).status, (await status(id, b)).reason], ['EXPIRED', 'SOLD_OUT']);
  assert.is((await queue.room.summary(id)).state, 'SOLD_OUT');
});

test('the line is limited to twice the seats still available (QUEUE_FULL with Retry-After), or to an explicit limit', async () => {
  const id = await newQueue({ totalSeats: 3 });
  await queue.room.configure(id, { state: 'PAUSED' });
  await event('order.created', { orderId: randomUUID(), userId: randomUUID(), performanceId: id, seatIds: ['s1'] });
  for (let i = 0; i < 4; i++) await queue.room.enter(id, randomUUID());
  const full = queue.room.enter(id, randomUUID());
  try {
    await full;
    assert.unreachable('a fifth fan got in with 2 seats left');
  } catch (error) {
    assert.instance(error, AppError);
    assert.equal([(error as AppError).status, (error as AppError).code], [503, 'QUEUE_FULL']);
    assert.ok(Number((error as AppError).headers['retry-after']) >= 5);
  }
  await queue.room.configure(id, { maxLine: 5 });
  assert.is((await queue.room.enter(id, randomUUID())).position, 5);
  assert.is(await codeOf(queue.room.enter(id, randomUUID())), 'QUEUE_FULL');
});

test('bookingClosesAt closes the queue; its keys are dropped once the retention has passed', async () => {
  const id = randomUUID();
  queues.push(id);
  await queue.store.create(id, { capacity: 1, admitPerMinute: 60, opensAtMs: 0, closesAtMs: Date.now() + 300, totalSeats: 0 });
  await queue.room.enter(id, randomUUID());
  await eventually(async () => (await queue.admission.tick(id)).state === 'CLOSED', 3000);
  assert.is(await codeOf(queue.room.enter(id, randomUUID())), 'QUEUE_CLOSED');

  const noRetention = await createService({ config: testConfig({ QUEUE_RETAIN_SECONDS: '0' }), logger: quietLogger(), metrics: createMetrics('queue', { defaultMetrics: false }), redis });
  assert.is((await noRetention.admission.tick(id)).state, 'RETIRED');
  assert.is(await redis.exists(...Object.values(queueKeys(id))), 0);
  assert.not.ok((await redis.smembers('tp:queues')).includes(id));
});

test('performance.published creates the queue once; a replay keeps later changes', async () => {
  const id = randomUUID();
  queues.push(id);
  const published = { performanceId: id, title: 'x', bookingOpensAt: new Date(Date.now() - 1000).toISOString(), bookingClosesAt: new Date(Date.now() + 3_600_000).toISOString(), maxSeatsPerOrder: 4, queue: { capacity: 7, admitPerMinute: 70 }, totalSeats: 100, schedules: [] };
  await event('performance.published', published);
  await queue.room.configure(id, { capacity: 9 });
  await event('performance.published', published);
  const summary = await queue.room.summary(id);
  assert.equal([summary.capacity, summary.admitPerMinute, summary.state], [9, 70, 'OPEN']);
  assert.ok((await redis.smembers('tp:queues')).includes(id));
  assert.is(await codeOf(event('performance.published', { performanceId: id })), 'ZodError');
});

test('a fan entering an empty line is ADMITTED even when another replica\'s tick admitted them first', async () => {
  const id = await newQueue({ capacity: 5 });
  const signer = await createSigner('ticketping-queue', await generateSigningKey());
  // this replica's own tick runs only after another replica's tick has taken the fan in: it admits nobody
  const otherReplicaFirst = { ...queue.admission, tick: async (performanceId: string) => { await queue.admission.tick(performanceId); return queue.admission.tick(performanceId); } };
  const noCodes = { redeem: () => Promise.reject(new Error('this test enters without a code')), release: () => Promise.resolve() };
  const room = createWaitingRoom({ store: queue.store, signer, admission: otherReplicaFirst, accessCodes: noCodes });
  const entry = await room.enter(id, randomUUID());
  assert.equal([entry.status, typeof entry.queueToken], ['ADMITTED', 'string']);
});

test.run();
