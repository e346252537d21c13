/**
 * Booking's health from every Ready booking pod (admissionControl.bookingPods): the operator (a
 * child process) lists the pods by label through the API server, scrapes each Ready one's
 * /metrics on its named port, differences each pod's counters on their own and merges the windows
 * into one p95. Two booking stand-ins export the same histogram (packages/metrics, the same HTTP
 * middleware) with latencies the test sets; one becomes slow while the other stays fast.
 *
 * The pods are real pods, scheduled by kube-scheduler and made Ready by kwok. They run on the host
 * network, so kwok gives them the fake Nodes' address, 127.0.0.1, where the stand-ins listen: each
 * pod's `management` container port is its stand-in's port.
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
  applyCrd, clients, createDeployment, createNamespace, createQueueScaler, deleteNamespace, mergePatch, operatorEnv, readQueueScaler, sample,
  startOperator, startQueueProcess, type OperatorProcess, type QueueScalerObject, type ServiceProcess,
} from './support.ts';
import { parseSnapshot, quantileMs } from '../src/booking-signal.ts';

const INTERNAL_TOKEN = 'operator-test-internal-token-0123';
const SLO_MS = 200;
const quiet = () => createLogger({ service: 'test', level: 'silent', destination: new Writable({ write(_c, _e, done) { done(); } }) });
const c = clients();
const performanceId = randomUUID();
let ns = '';
let redis: RedisClient;
let queue: ServiceProcess;
let operator: OperatorProcess;
let traffic: NodeJS.Timeout | undefined;

interface StandIn { server: RunningServer; delayMs: number }
const pods: Record<'a' | 'b', StandIn | undefined> = { a: undefined, b: undefined };

async function standIn(port = 0): Promise<StandIn> {
  const metrics = createMetrics('booking', { defaultMetrics: false });
  const self: StandIn = { server: undefined as unknown as RunningServer, delayMs: 5 };
  const app = createHttpApp({
    logger: quiet(), metrics, operationalRoutesOnMainPort: true,
    routes: (router) => router.post('/api/v1/orders', async (_req, res) => {
      await new Promise((resolve) => setTimeout(resolve, self.delayMs));
      res.status(201).json({});
    }),
  });
  self.server = await listen(app, port);
  return self;
}

/** One booking Deployment per stand-in: a host-network pod whose `management` port is the stand-in's. */
async function bookingDeployment(name: 'a' | 'b', port: number): Promise<void> {
  const labels = { app: 'booking-pods', shard: name };
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: {
      metadata: { name: `booking-${name}` },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { hostNetwork: true, containers: [{ name: 'booking', image: 'ticketping/booking:test', ports: [{ name: 'management', containerPort: port }] }] },
        },
      },
    },
  });
}

async function readyPods(): Promise<string[]> {
  const list = await c.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=booking-pods' });
  return list.items.filter((p) => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')).map((p) => `${p.status?.podIP}:${p.spec?.containers[0]?.ports?.[0]?.containerPort}`);
}

test.before(async () => {
  await applyCrd(c);
  ns = await createNamespace(c, 'qs-pods');
  await createDeployment(c, ns, 'booking');
  redis = createRedis({ url: testEnv.redisUrl });
  queue = await startQueueProcess({ INTERNAL_TOKEN });
  const admin = { 'content-type': 'application/json', 'x-internal-token': INTERNAL_TOKEN, 'x-user-id': randomUUID(), 'x-user-role': 'ADMIN' };
  assert.is((await fetch(`${queue.base}/internal/v1/queues/${performanceId}`, { method: 'PUT', headers: admin, body: JSON.stringify({ capacity: 100_000, admitPerMinute: 6000 }) })).status, 201);
  await redis.srem(QUEUE_INDEX_KEY, performanceId); // no other suite's admission loop ticks it
  await fetch(`${queue.base}/api/v1/queues/${performanceId}`, { method: 'PATCH', headers: admin, body: JSON.stringify({ state: 'PAUSED' }) });
  for (let i = 0; i < 50; i++) {
    await fetch(`${queue.base}/api/v1/queues/${performanceId}/entries`, { method: 'POST', headers: { 'x-internal-token': INTERNAL_TOKEN, 'x-user-id': randomUUID() } });
  }
  await fetch(`${queue.base}/api/v1/queues/${performanceId}`, { method: 'PATCH', headers: admin, body: JSON.stringify({ capacity: 100_000 }) }); // one tick: waiting counted

  pods.a = await standIn();
  pods.b = await standIn();
  await bookingDeployment('a', pods.a.server.port);
  await bookingDeployment('b', pods.b.server.port);
  const expected = [`127.0.0.1:${pods.a.server.port}`, `127.0.0.1:${pods.b.server.port}`].sort();
  await eventually(async () => JSON.stringify((await readyPods()).sort()) === JSON.stringify(expected), 60_000, 250);
  // fans booking: the same trickle to both pods, whatever the rate (the test changes only latency)
  traffic = setInterval(() => {
    for (const pod of [pods.a, pods.b]) if (pod) void fetch(`http://127.0.0.1:${pod.server.port}/api/v1/orders`, { method: 'POST' }).catch(() => undefined);
  }, 40);

  await createQueueScaler(c, ns, 'booking', {
    scaleTargetRef: { name: 'booking' },
    source: { metric: 'waiting', performanceId },
    targetPerReplica: 1000,
    pollingIntervalSeconds: 1,
    admissionControl: {
      bookingPods: { selector: { matchLabels: { app: 'booking-pods' } }, port: 'management' },
      slo: { p95Milliseconds: SLO_MS },
      additiveIncrease: 200, decreasePercent: 50, maxIncreasePerMinute: 100_000,
      minAdmitPerMinute: 40, maxAdmitPerMinute: 20_000, minSamples: 5,
    },
  });
  operator = await startOperator('pods-a', { ...operatorEnv(ns), QUEUE_URL: queue.base, INTERNAL_TOKEN });
});

test.after(async () => {
  clearInterval(traffic);
  await operator?.stop();
  for (const pod of [pods.a, pods.b]) await pod?.server.close();
  await queue?.stop();
  await redis.del(...Object.values(queueKeys(performanceId)));
  await redis.quit();
  await deleteNamespace(c, ns);
});

const status = async () => (await readQueueScaler(c, ns, 'booking')).status ?? {};
async function until(check: (s: NonNullable<QueueScalerObject['status']>) => boolean, timeoutMs = 30_000) {
  return eventually(async () => { const s = await status(); return check(s) ? s : undefined; }, timeoutMs, 200);
}

test('both pods fast: both are read and the rate climbs', async () => {
  const s = await until((x) => x.bookingPods === 2 && (x.admitPerMinute ?? 0) >= 800 && /booking healthy/.test(x.admissionMessage ?? ''));
  assert.ok((s.bookingP95Milliseconds ?? Infinity) < SLO_MS, `p95 ${s.bookingP95Milliseconds}`);
  const exposed = await operator.metrics();
  assert.is(sample(exposed, 'queue_scaler_booking_pods', `name="booking"`), 2);
  assert.ok((sample(exposed, 'queue_scaler_admit_per_minute', `name="booking"`) ?? 0) >= 40);
  assert.is(sample(exposed, 'queue_scaler_admin_admit_per_minute', `name="booking"`), 6000);
});

test('one pod of two slows down: the merged p95 crosses the SLO and the rate is cut, though the other pod stays fast', async () => {
  const before = (await status()).admitPerMinute ?? 0;
  pods.b!.delayMs = 600;
  const s = await until((x) => /over its SLO/.test(x.admissionMessage ?? ''));
  assert.is(s.bookingPods, 2);
  assert.ok((s.bookingP95Milliseconds ?? 0) > SLO_MS, `p95 ${s.bookingP95Milliseconds}`);
  assert.ok((s.admitPerMinute ?? Infinity) < before, `${s.admitPerMinute} < ${before}`);
  // a p95 of the fast pod alone (what a Service URL would give half the time) stays far below the SLO
  const fast = parseSnapshot(await (await fetch(`http://127.0.0.1:${pods.a!.server.port}/metrics`)).text());
  assert.ok((quantileMs(fast, 0.95) ?? Infinity) < SLO_MS, `the fast pod's own p95 ${quantileMs(fast, 0.95)} ms`);
  await until((x) => x.admitPerMinute === 40, 60_000);
});

test('the slow pod goes away: only the Ready pod is read, and the rate climbs again', async () => {
  await c.apps.patchNamespacedDeployment({ namespace: ns, name: 'booking-b', body: { spec: { replicas: 0 } } }, mergePatch);
  await eventually(async () => (await readyPods()).length === 1, 60_000, 250);
  const s = await until((x) => x.bookingPods === 1 && (x.admitPerMinute ?? 0) > 400, 60_000);
  assert.match(s.admissionMessage ?? '', /booking healthy|probing/);
});

test('the pod\'s process restarts (its counters start again from zero): the next windows are judged as before, not lost', async () => {
  const port = pods.a!.server.port;
  const before = await until((x) => /booking healthy/.test(x.admissionMessage ?? ''));
  await pods.a!.server.close();
  pods.a = await standIn(port);
  // a window against the old process's higher counters would be negative: too few requests to judge, never "healthy"
  const after = await until((x) => (x.admitPerMinute ?? 0) > (before.admitPerMinute ?? 0) + 400 && /booking healthy/.test(x.admissionMessage ?? ''), 60_000);
  assert.is(after.bookingPods, 1);
});

test.run();
