/**
 * Issue 14 at the waiting room, against a real Redis: a performance that asks for confirmed
 * e-mail addresses refuses other accounts (403 EMAIL_NOT_VERIFIED), and a pre-queued fan must show
 * presence (enter or poll) in the last minutes before the open, or is dropped at the open, so idle
 * accounts parked early by a script neither fill the line limit nor take places.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AppError } from '@ticketping/http';
import { createMetrics } from '@ticketping/metrics';
import { createRedis, type RedisClient } from '@ticketping/redis';
import { eventually, testEnv } from '@ticketping/testing';
import { createService, type QueueService } from '../src/service.ts';
import { dropQueues, quietLogger, sleep, testConfig } from './helpers.ts';

const PRESENCE_WINDOW_MS = 3000;
let redis: RedisClient;
let queue: QueueService;
const queues: string[] = [];

test.before(async () => {
  redis = createRedis({ url: testEnv.redisUrl });
  const config = testConfig({ QUEUE_PRESENCE_WINDOW_SECONDS: String(PRESENCE_WINDOW_MS / 1000), QUEUE_MIN_POLL_MS: '100', QUEUE_MAX_POLL_MS: '600000' });
  queue = await createService({ config, logger: quietLogger(), metrics: createMetrics('queue', { defaultMetrics: false }), redis });
});

test.after(async () => {
  await dropQueues(redis, queues);
  await redis.quit();
});

async function newQueue(settings: { opensAtMs?: number; totalSeats?: number; requireVerifiedEmail?: boolean } = {}): Promise<string> {
  const id = randomUUID();
  queues.push(id);
  await queue.store.create(id, { capacity: 100, admitPerMinute: 6000, opensAtMs: 0, closesAtMs: 0, totalSeats: 0, ...settings });
  await queue.store.forget(id); // this suite ticks its queues itself
  return id;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    return error instanceof AppError ? `${error.status} ${error.code}` : (error as Error).name;
  }
}

test('a performance that asks for confirmed addresses refuses other accounts with 403 EMAIL_NOT_VERIFIED; confirmed ones enter', async () => {
  const id = await newQueue({ requireVerifiedEmail: true });
  assert.is((await queue.room.summary(id)).requireVerifiedEmail, true);
  const fan = randomUUID();
  assert.is(await codeOf(queue.room.enter(id, fan, { emailVerified: false })), '403 EMAIL_NOT_VERIFIED');
  assert.is((await queue.room.summary(id)).waiting, 0, 'the refused entry holds no place');
  assert.ok(['WAITING', 'ADMITTED'].includes((await queue.room.enter(id, fan, { emailVerified: true })).status));

  const open = await newQueue();
  assert.is((await queue.room.summary(open)).requireVerifiedEmail, false);
  assert.ok(['WAITING', 'ADMITTED'].includes((await queue.room.enter(open, randomUUID(), { emailVerified: false })).status), 'others do not ask');
});

test('the setting follows performance.published: turned on by a later event, it refuses new unconfirmed entries', async () => {
  const performanceId = randomUUID();
  queues.push(performanceId);
  const published = (requireVerifiedEmail: boolean) => queue.handleEvent({
    id: randomUUID(), type: 'performance.published', key: performanceId, occurredAt: new Date().toISOString(),
    payload: {
      performanceId, title: 'Show', bookingOpensAt: new Date(Date.now() - 1000).toISOString(), bookingClosesAt: new Date(Date.now() + 86_400_000).toISOString(),
      maxSeatsPerOrder: 4, queue: { capacity: 10, admitPerMinute: 600 }, totalSeats: 40, schedules: [], requireVerifiedEmail,
    },
  });
  await published(false);
  await queue.store.forget(performanceId);
  const early = randomUUID();
  await queue.room.enter(performanceId, early, { emailVerified: false });
  await published(true);
  assert.is(await codeOf(queue.room.enter(performanceId, randomUUID(), { emailVerified: false })), '403 EMAIL_NOT_VERIFIED');
  assert.not.equal((await queue.room.status(performanceId, early)).status, 'EXPIRED', 'who entered before keeps the place');
});

test('a pre-queued fan is told to come back inside the presence window, before the open', async () => {
  const opensAtMs = Date.now() + 60_000;
  const id = await newQueue({ opensAtMs });
  const before = Date.now();
  const entry = await queue.room.enter(id, randomUUID());
  assert.is(entry.reason, 'PRE_QUEUE');
  const windowStartsIn = opensAtMs - PRESENCE_WINDOW_MS - before;
  // jitter brings polls up to 10 % early: early is one more poll, late would be the place
  assert.ok(entry.pollAfterMs >= windowStartsIn * 0.9 && entry.pollAfterMs <= opensAtMs - before, `pollAfterMs ${entry.pollAfterMs}, window starts in ${windowStartsIn}`);
});

test('pre-queued fans silent through the window before the open are dropped at it (ABSENT) and stop counting toward the line limit', async () => {
  // 2 seats: the default line limit is 4. Four idle accounts fill it long before the open.
  const id = await newQueue({ opensAtMs: Date.now() + 3_600_000, totalSeats: 2 });
  const idle = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  for (const user of idle) assert.is((await queue.room.enter(id, user)).reason, 'PRE_QUEUE');
  assert.is(await codeOf(queue.room.enter(id, randomUUID())), '503 QUEUE_FULL');

  // the open is moved close: the presence window has begun, and nobody has shown presence in it
  // (a few ms later, so the idle fans' last entry falls before the window on a fast machine too)
  await sleep(20);
  const opensAtMs = Date.now() + PRESENCE_WINDOW_MS;
  await queue.store.create(id, { capacity: 100, admitPerMinute: 6000, opensAtMs, closesAtMs: 0, totalSeats: 2 });
  await queue.store.forget(id);
  const [present1, present2] = idle as [string, string, string, string];
  await queue.room.status(id, present1); // two of the four poll inside the window
  await queue.room.status(id, present2);
  const newcomer = randomUUID();
  assert.is((await queue.room.enter(id, newcomer)).reason, 'PRE_QUEUE', 'the silent two no longer hold places in the line limit');
  const fourth = randomUUID();
  assert.is((await queue.room.enter(id, fourth)).reason, 'PRE_QUEUE');
  assert.is(await codeOf(queue.room.enter(id, randomUUID())), '503 QUEUE_FULL', 'four present: the limit holds for them');

  await sleep(Math.max(0, opensAtMs - Date.now() + 50)); // a wall-clock moment, nothing to poll for
  const admitted: string[] = [];
  await eventually(async () => {
    admitted.push(...(await queue.admission.tick(id)).admitted);
    return admitted.length === 4;
  }, 5000);
  assert.equal(new Set(admitted), new Set([present1, present2, newcomer, fourth]));
  for (const silent of idle.slice(2)) {
    const entry = await queue.room.status(id, silent);
    assert.equal([entry.status, entry.reason], ['EXPIRED', 'ABSENT']);
  }
});

test('with the rule off (window 0) every pre-queued fan joins the line at the open', async () => {
  const config = testConfig({ QUEUE_PRESENCE_WINDOW_SECONDS: '0' });
  const off = await createService({ config, logger: quietLogger(), metrics: createMetrics('queue', { defaultMetrics: false }), redis });
  const id = randomUUID();
  queues.push(id);
  await off.store.create(id, { capacity: 100, admitPerMinute: 6000, opensAtMs: Date.now() + 3_600_000, closesAtMs: 0, totalSeats: 0 });
  await off.store.forget(id);
  const fans = [randomUUID(), randomUUID()];
  for (const fan of fans) await off.room.enter(id, fan);
  const opensAtMs = Date.now() + 200;
  await off.store.create(id, { capacity: 100, admitPerMinute: 6000, opensAtMs, closesAtMs: 0, totalSeats: 0 });
  await off.store.forget(id);
  await sleep(Math.max(0, opensAtMs - Date.now() + 50));
  const admitted: string[] = [];
  await eventually(async () => {
    admitted.push(...(await off.admission.tick(id)).admitted);
    return admitted.length === 2;
  }, 5000);
});

test.run();
