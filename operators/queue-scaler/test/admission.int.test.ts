/**
 * Admission control end to end: the operator (a child process) reads booking's request histogram
 * from a /metrics endpoint, decides the rate, and hands each open queue its share through the real
 * queue service's operator-rate route; the queues admit at min(admin ceiling, operator rate).
 *
 * Booking here is a stand-in that exports the same histogram (packages/metrics, the same HTTP
 * middleware) with a latency the test sets, so a slow-down can be switched on at a known moment.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHttpApp, listen, type RunningServer } from '@ticketping/http';
import { createLogger } from '@ticketping/logger';
import { createMetrics } from '@ticketping/metrics';
import { QUEUE_INDEX_KEY, createRedis, queueKeys, type RedisClient } from '@ticketping/redis';
import { eventually, testEnv } from '@ticketping/testing';
import {
  applyCrd, clients, createDeployment, createNamespace, createQueueScaler, deleteNamespace, operatorEnv, queueScalerTable,
  readQueueScaler, startOperator, startQueueProcess, type OperatorProcess, type ServiceProcess,
} from './support.ts';

const INTERNAL_TOKEN = 'operator-test-internal-token-0123';
const quiet = () => createLogger({ service: 'test', level: 'silent', destination: new Writable({ write(_c, _e, done) { done(); } }) });
const c = clients();
let ns = '';
let redis: RedisClient;
let queue: ServiceProcess;
let booking: RunningServer;
let operator: OperatorProcess;
let bookingDelayMs = 5;
let traffic: NodeJS.Timeout | undefined;
const big = randomUUID();
const small = randomUUID();

test.before(async () => {
  await applyCrd(c);
  ns = await createNamespace(c, 'qs-admit');
  await createDeployment(c, ns, 'booking');
  redis = createRedis({ url: testEnv.redisUrl });
  // proof-of-work off: this suite fills lines to test the split of the rate, not the entry's check
  queue = await startQueueProcess({ INTERNAL_TOKEN });
  for (const [id, fans] of [[big, 300], [small, 100]] as const) {
    assert.is((await queueCall('PUT', `/internal/v1/queues/${id}`, { capacity: 100_000, admitPerMinute: 6000 })).status, 201);
    await redis.srem(QUEUE_INDEX_KEY, id); // no other suite's admission loop ticks it
    await queueCall('PATCH', `/api/v1/queues/${id}`, { state: 'PAUSED' }); // the line stays as it is: the split is by waiting fans
    for (let i = 0; i < fans; i++) await queueCall('POST', `/api/v1/queues/${id}/entries`, undefined, randomUUID());
    await tick(id);
  }

  const metrics = createMetrics('booking', { defaultMetrics: false });
  const app = createHttpApp({
    logger: quiet(), metrics, operationalRoutesOnMainPort: true,
    routes: (router) => router.post('/api/v1/orders', async (_req, res) => {
      await new Promise((resolve) => setTimeout(resolve, bookingDelayMs));
      res.status(201).json({});
    }),
  });
  booking = await listen(app, 0);
  // fans booking: a steady trickle of orders, whatever the rate (the test changes only latency)
  traffic = setInterval(() => { void fetch(`http://127.0.0.1:${booking.port}/api/v1/orders`, { method: 'POST' }).catch(() => undefined); }, 40);

  await createQueueScaler(c, ns, 'booking', {
    scaleTargetRef: { name: 'booking' },
    source: { metric: 'waiting' },
    targetPerReplica: 1000,
    pollingIntervalSeconds: 1,
    admissionControl: {
      performanceIds: [big, small],
      bookingMetricsUrl: `http://127.0.0.1:${booking.port}/metrics`,
      slo: { p95Milliseconds: 150 },
      additiveIncrease: 200, decreasePercent: 50, maxIncreasePerMinute: 100_000,
      minAdmitPerMinute: 40, maxAdmitPerMinute: 20_000, minSamples: 5,
    },
  });
  operator = await startOperator('admit-a', { ...operatorEnv(ns), QUEUE_URL: queue.base, INTERNAL_TOKEN });
});

test.after(async () => {
  clearInterval(traffic);
  await operator?.stop();
  await booking?.close();
  await queue?.stop();
  for (const id of [big, small]) await redis.del(...Object.values(queueKeys(id)));
  await redis.quit();
  await deleteNamespace(c, ns);
});

const configOf = async (id: string) => redis.hgetall(queueKeys(id).config);
const admin = randomUUID();

async function queueCall(method: string, path: string, body?: unknown, user = admin) {
  const res = await fetch(`${queue.base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-internal-token': INTERNAL_TOKEN, 'x-user-id': user, ...(user === admin ? { 'x-user-role': 'ADMIN' } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}

/** An admin change of capacity runs one admission tick at once: the figures in Redis are refreshed. */
async function tick(id: string): Promise<Record<string, string>> {
  assert.is((await queueCall('PATCH', `/api/v1/queues/${id}`, { capacity: 100_000 })).status, 200);
  return redis.hgetall(queueKeys(id).stats);
}

test('booking healthy: the rate climbs from the floor, split 3:1 by waiting fans, and the admins\' setting is never written', async () => {
  const qs = await eventually(async () => {
    const got = await readQueueScaler(c, ns, 'booking');
    return (got.status?.admitPerMinute ?? 0) >= 1000 ? got : undefined;
  }, 30_000, 200);
  assert.match(String(qs.status?.admissionMessage), /booking healthy|probing/);
  const [bigConfig, smallConfig] = [await configOf(big), await configOf(small)];
  assert.is(bigConfig.admitPerMinute, '6000');
  assert.is(smallConfig.admitPerMinute, '6000');
  const [bigRate, smallRate] = [Number(bigConfig.operatorAdmitPerMinute), Number(smallConfig.operatorAdmitPerMinute)];
  assert.ok(Math.abs(bigRate / (bigRate + smallRate) - 0.75) < 0.02, `split ${bigRate}:${smallRate}`);
  // a tick uses the operator's share, under the admin's 6000
  const stats = await tick(big);
  assert.equal([stats.admitPerMinute, stats.operatorAdmitPerMinute], ['6000', stats.effectiveAdmitPerMinute]);
  assert.ok(Number(stats.effectiveAdmitPerMinute) > 0 && Number(stats.effectiveAdmitPerMinute) < 6000);
});

test('kubectl get shows the admins\' ceiling beside the operator\'s rate', async () => {
  const row = await eventually(async () => {
    const rows = await queueScalerTable(c, ns);
    return rows[0]?.['Admin-Ceiling'] === '12000' && Number(rows[0]['Operator-Rate']) > 0 ? rows[0] : undefined;
  }, 10_000, 200);
  assert.ok(Number(row['Booking-P95-Ms']) < 150, `p95 ${row['Booking-P95-Ms']}`);
});

test('booking slows down past its SLO: the rate is cut within two polls and keeps falling towards the floor', async () => {
  const before = (await readQueueScaler(c, ns, 'booking')).status?.admitPerMinute ?? 0;
  const slowedAt = Date.now();
  bookingDelayMs = 400;
  const cut = await eventually(async () => {
    const got = await readQueueScaler(c, ns, 'booking');
    return /over its SLO/.test(String(got.status?.admissionMessage)) ? got : undefined;
  }, 20_000, 100);
  const reaction = Date.now() - slowedAt;
  process.stdout.write(`[figure] slow-down seen and the rate cut after ${reaction} ms (polling 1000 ms; the first slow answers take 400 ms)\n`);
  assert.ok((cut.status?.admitPerMinute ?? Infinity) < before, `${cut.status?.admitPerMinute} < ${before}`);
  await eventually(async () => (await readQueueScaler(c, ns, 'booking')).status?.admitPerMinute === 40, 30_000, 200);
  const share = Number((await configOf(big)).operatorAdmitPerMinute);
  assert.is(share, 30, 'three quarters of the floor');
});

test('booking recovers: the rate climbs again', async () => {
  bookingDelayMs = 5;
  await eventually(async () => ((await readQueueScaler(c, ns, 'booking')).status?.admitPerMinute ?? 0) > 400, 30_000, 200);
});

test.run();
