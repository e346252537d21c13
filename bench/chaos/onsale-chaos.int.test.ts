/**
 * Chaos during an on-sale: the services run as separate processes on this suite's own Kafka broker
 * and Redis (AOF on); while fans buy, booking, payment, queue, the gateway, Kafka and Redis are each
 * killed with SIGKILL and started again. Afterwards the money, the seats and the admission slots
 * must add up, and the waiting room must admit again within 10 s of Redis returning.
 *
 * Bounded: setup ~40 s, on-sale ~3 min (each service restart waits ~30 s for its dead Kafka
 * consumer's session to time out), drain ≤ 60 s. CHAOS_FANS scales the crowd (default 200).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger } from '@ticketping/logger';
import { createRedis, queueKeys, type RedisClient } from '@ticketping/redis';
import { eventually, testEnv } from '@ticketping/testing';
import { createDriver, planFor, type FanOutcome } from './fans.ts';
import { admittedTotal, checkMoney, checkSeats, eventFlow, fansWithTwoLiveOrders, moneySettled, readActiveSet, type MoneyReport } from './invariants.ts';
import { startPlatform, type Platform, type ProcessName } from './platform.ts';

const FANS = Number(process.env.CHAOS_FANS ?? 200);
const CAPACITY = 40;
const log = createLogger({ service: 'chaos', level: 'info' });
const workDir = mkdtempSync(path.join(os.tmpdir(), 'chaos-'));
let platform: Platform;
let redis: RedisClient;
let passed = false;

const DAY = 86_400_000;
function performance(title: string, rows: number, capacity: number, admitPerMinute: number) {
  const now = Date.now();
  return {
    title, venue: 'Chaos Hall', description: 'kill -9 rehearsal',
    bookingOpensAt: new Date(now - 60_000).toISOString(), bookingClosesAt: new Date(now + 30 * DAY).toISOString(), maxSeatsPerOrder: 4,
    schedules: [{ startsAt: new Date(now + 14 * DAY).toISOString() }],
    sections: [{ name: 'Floor', rows, seatsPerRow: 20, grade: 'Standard', price: 5000, currency: 'USD' }],
    queue: { capacity, admitPerMinute },
  };
}

test.before(async () => {
  platform = await startPlatform({
    workDir,
    postgresUrl: testEnv.postgresUrl,
    env: {
      auth: { PASSWORD_HASH_COST: '10' },
      // short windows so walked-away fans free their slots and seats within the test
      queue: { QUEUE_TICK_MS: '200', QUEUE_MIN_POLL_MS: '500', QUEUE_MAX_POLL_MS: '5000', QUEUE_ACTIVE_WINDOW_SECONDS: '60', QUEUE_MAX_ACTIVE_SECONDS: '120', QUEUE_GRACE_SECONDS: '90' },
      booking: { HOLD_TTL_SECONDS: '45', HOLD_EXPIRY_GRACE_SECONDS: '5' },
      // The simulated provider lives in payment's memory: a charge in flight when payment is killed
      // is gone with it, so "not found" stays not found. A short settlement window lets the
      // reconciler call it NOT_CHARGED within the drain instead of after the production hour.
      payment: { RECONCILE_INTERVAL_MS: '1000', PROVIDER_SETTLEMENT_WINDOW_MS: '15000' },
      // every fan comes from 127.0.0.1: per-IP limits and caps would throttle the whole crowd as one client
      gateway: {
        RATE_LIMIT_PER_USER: '0', RATE_LIMIT_PER_IP: '0', RATE_LIMIT_POLL_PER_USER: '0', RATE_LIMIT_POLL_PER_IP: '0',
        CAP_ENTRIES_PER_IP: '0', CAP_ENTRIES_PER_RANGE: '0', CAP_SIGNUPS_PER_IP: '0', CAP_SIGNUPS_PER_RANGE: '0',
      },
    },
  });
  redis = createRedis({ url: platform.redisUrl });
  redis.on('error', () => undefined); // Redis is killed on purpose; the sampler just misses a beat
});

test.after(async () => {
  redis?.disconnect();
  await platform?.stop();
  // a failed run keeps the services' logs for the post-mortem
  rmSync(passed ? workDir : path.join(workDir, 'kafka'), { recursive: true, force: true });
  if (!passed) log.warn({ logs: path.join(workDir, 'logs') }, 'kept the logs of the failed run');
});

test('kill -9 of booking, payment, queue, gateway, Kafka and Redis during an on-sale loses no money, sells no seat twice, and the queue comes back', async () => {
  const startedAt = Date.now();
  const driver = createDriver(platform.gatewayUrl);
  const setupDeadline = Date.now() + 60_000;
  const login = await driver.call('/auth/login', { method: 'POST', body: platform.admin }, setupDeadline);
  const adminToken = login.body.accessToken as string;
  const create = async (body: unknown) => {
    const created = await driver.call('/performances', { method: 'POST', token: adminToken, body }, setupDeadline);
    assert.is(created.status, 201, JSON.stringify(created.body));
    return { performanceId: created.body.id as string, scheduleId: (created.body.schedules as Array<{ id: string }>)[0]!.id };
  };
  // 200 seats; admission paced so the on-sale lasts through every kill
  const main = await create(performance('Chaos On-Sale', 10, CAPACITY, 150));
  // a second, quiet waiting room: after Redis returns, a fresh fan must get through it within 10 s
  const probe = await create(performance('Redis Probe', 1, 5, 600));
  const bookingDb = platform.databases.booking.knex;
  await eventually(async () => (await driver.call(`/queues/${main.performanceId}`, {}, setupDeadline)).status === 200
    && (await driver.call(`/queues/${probe.performanceId}`, {}, setupDeadline)).status === 200
    && Number((await bookingDb('seats').where({ schedule_id: main.scheduleId }).count<Array<{ n: string }>>({ n: '*' }))[0]!.n) === 200, 30_000, 200);
  const probeFan = await driver.signUp('probe', setupDeadline);
  log.info({ setupMs: Date.now() - startedAt, fans: FANS }, 'platform up, on-sale starts');

  // Sample the active set throughout: a fan holding two slots would push it past capacity.
  let maxActive = 0;
  const strays = new Set<string>();
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const seen = await readActiveSet(redis, main.performanceId).catch(() => undefined);
      if (seen) {
        maxActive = Math.max(maxActive, seen.active);
        seen.withoutAdmission.forEach((u) => strays.add(u));
      }
      await sleep(250);
    }
  })();

  const onSaleStart = Date.now();
  const fanDeadline = onSaleStart + 190_000;
  const fans: Promise<FanOutcome>[] = Array.from({ length: FANS }, async (_, i) => {
    await sleep((i / FANS) * 5000); // arrivals over 5 s
    return driver.runFan({ name: `fan${i}`, plan: planFor(i), ...main, deadline: fanDeadline, startedAt: onSaleStart });
  });

  const kills: Array<{ target: ProcessName; atS: number; downMs: number }> = [];
  let redisRecovery: { probeAdmittedMs: number; mainAdmittedMs?: number; mainWaitingAtKill: number } | undefined;
  // the first kill lands once the on-sale is in full swing: fans queued, holding and paying
  const confirmed = async () => Number((await bookingDb('orders').where({ performance_id: main.performanceId, status: 'CONFIRMED' }).count<Array<{ n: string }>>({ n: '*' }))[0]!.n);
  await eventually(async () => (await confirmed()) >= 5, 60_000, 250);
  for (const target of ['booking', 'payment', 'queue', 'gateway', 'kafka', 'redis'] as const) {
    const atS = Math.round((Date.now() - onSaleStart) / 1000);
    const before = target === 'redis' ? { admitted: await admittedTotal(redis, main.performanceId), waiting: Number(await redis.hget(queueKeys(main.performanceId).stats, 'waiting')) } : undefined;
    const { downMs } = await platform.killAndRestart(target);
    kills.push({ target, atS, downMs });
    log.info({ target, atS, downMs }, 'killed with SIGKILL and restarted');
    if (before) redisRecovery = { ...(await measureQueueRecovery(before.admitted)), mainWaitingAtKill: before.waiting };
    await sleep(5_000); // a pause between faults, so each recovery is seen on its own
  }

  // The probe fan's admission is the measure; the main queue's next admission is reported too, but
  // it also waits for a free slot (or for anyone still waiting at all).
  async function measureQueueRecovery(admittedBefore: number) {
    const back = Date.now();
    const mainAdmitted = eventually(async () => (await admittedTotal(redis, main.performanceId).catch(() => 0)) > admittedBefore, 30_000, 50)
      .then(() => Date.now() - back, () => undefined);
    await driver.waitForAdmission(probe.performanceId, probeFan.token, back + 30_000);
    return { probeAdmittedMs: Date.now() - back, mainAdmittedMs: await mainAdmitted };
  }

  const outcomes = await Promise.all(fans);
  const onSaleMs = Date.now() - onSaleStart;
  sampling = false;
  await sampler;

  const paymentDb = platform.databases.payment.knex;
  // Drain: payments still in flight settle (reconciliation), refunds of late payments go out.
  let money: MoneyReport = await checkMoney(bookingDb, paymentDb, main.performanceId);
  const drainStart = Date.now();
  while (!moneySettled(money) && Date.now() - drainStart < 60_000) {
    await sleep(1000);
    money = await checkMoney(bookingDb, paymentDb, main.performanceId);
  }
  const seats = await checkSeats(bookingDb, main.scheduleId);
  const twoOrders = await fansWithTwoLiveOrders(bookingDb, main.performanceId);
  const finalActive = await readActiveSet(redis, main.performanceId);
  const flows = {
    'order.created booking→payment': await eventFlow(bookingDb, paymentDb, 'order.created'),
    'payment.succeeded payment→booking': await eventFlow(paymentDb, bookingDb, 'payment.succeeded'),
  };

  const tally = (pick: (o: FanOutcome) => string | undefined) => outcomes.reduce<Record<string, number>>((acc, o) => {
    const key = pick(o) ?? 'none';
    return { ...acc, [key]: (acc[key] ?? 0) + 1 };
  }, {});
  const summary = {
    fans: FANS, totalS: Math.round((Date.now() - startedAt) / 1000), onSaleS: Math.round(onSaleMs / 1000), drainS: Math.round((Date.now() - drainStart) / 1000),
    kills, redisRecovery, requests: driver.stats, flows,
    fanPlans: tally((o) => o.plan), fanOrderStatus: tally((o) => o.orderStatus), fanStoppedBy: tally((o) => o.stoppedBy && `${o.stoppedBy} at ${o.stage}`),
    orders: money.orders, payments: money.payments, seatsSold: seats.seatsSold, maxActive, capacity: CAPACITY, finalActive: finalActive.active,
    violations: {
      paidNotConfirmed: money.paidNotConfirmed, confirmedUnpaid: money.confirmedUnpaid, refundedButConfirmed: money.refundedButConfirmed,
      pendingPayments: money.pendingPayments, seatsSoldTwice: seats.soldTwice, holdMismatch: seats.holdMismatch, fansWithTwoLiveOrders: twoOrders,
      activeWithoutAdmission: [...strays, ...finalActive.withoutAdmission],
    },
  };
  log.info(summary, 'chaos on-sale summary');

  const explain = (what: string, names: ProcessName[]) => `${what}\n${names.map((n) => `--- ${n}\n${platform.logTail(n)}`).join('\n')}`;
  assert.ok(seats.seatsSold > 0, 'the on-sale sold seats despite the kills');
  assert.equal(money.paidNotConfirmed, [], explain('every paid order is CONFIRMED or its payment REFUNDED', ['booking', 'payment']));
  assert.equal(money.pendingPayments, [], explain('no payment is left PENDING', ['payment']));
  assert.equal(money.confirmedUnpaid, [], 'no order is CONFIRMED without a successful payment');
  assert.equal(money.refundedButConfirmed, [], 'no refunded payment leaves its order CONFIRMED');
  assert.equal(seats.soldTwice, [], 'no seat is sold twice');
  assert.equal(seats.holdMismatch, [], 'every seat of a live order is held by that order');
  assert.equal(twoOrders, [], 'no fan has two live orders');
  assert.ok(maxActive <= CAPACITY, `active slots never exceed capacity (max seen ${maxActive})`);
  assert.equal(summary.violations.activeWithoutAdmission, [], 'every active slot belongs to an admitted fan');
  assert.ok(redisRecovery && redisRecovery.probeAdmittedMs <= 10_000, explain(`the queue admits within 10 s of Redis returning (${redisRecovery?.probeAdmittedMs} ms)`, ['queue', 'gateway']));
  passed = true;
});

test.run();
