/**
 * Redis unreachable: a QueueScaler with a fallback goes to its fallback replicas (from zero, too)
 * with the Fallback condition; one without a fallback keeps its replicas; nothing ever drops to
 * zero because of the failure; when Redis returns, scaling resumes. The suite runs its own
 * redis-server so it can stop it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis';
import { queueKeys } from '@ticketping/redis';
import { eventually } from '@ticketping/testing';
import {
  applyCrd, clients, condition, createDeployment, createNamespace, createQueueScaler, deleteNamespace, freePort,
  operatorEnv, readQueueScaler, replicasOf, sample, startOperator, type OperatorProcess,
} from './support.ts';

const c = clients();
const performanceId = 'p1';
const stats = queueKeys(performanceId).stats;
let port = 0;
let redisServer: ChildProcess | undefined;
let redis: Redis;
let ns = '';
let operator: OperatorProcess;
const minReplicasSeen = { booking: Infinity, queue: Infinity };

async function startRedis(): Promise<void> {
  redisServer = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await eventually(async () => (await redis.ping()) === 'PONG', 10_000, 50);
}

async function stopRedis(): Promise<void> {
  const server = redisServer;
  if (!server || server.exitCode !== null) return;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGKILL');
  await exited;
}

/** Replicas of a target, remembering the lowest ever seen. */
async function replicas(name: 'booking' | 'queue'): Promise<number> {
  const n = await replicasOf(c, ns, name);
  minReplicasSeen[name] = Math.min(minReplicasSeen[name], n);
  return n;
}

test.before(async () => {
  port = await freePort();
  redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
  redis.on('error', () => undefined);
  await startRedis();
  await redis.hset(stats, { waiting: 0, active: 0 });

  await applyCrd(c);
  ns = await createNamespace(c, 'qs-fallback');
  await createDeployment(c, ns, 'booking');
  await createDeployment(c, ns, 'queue');
  // generous scale-up rate: the recovery check below must not wait for the fallback's own scale to age out of the period
  const behavior = { scaleUp: { policies: [{ type: 'Pods', value: 10, periodSeconds: 1 }] } };
  const common = { source: { performanceId }, targetPerReplica: 10, pollingIntervalSeconds: 1, cooldownPeriodSeconds: 0, behavior };
  await createQueueScaler(c, ns, 'booking', {
    ...common, scaleTargetRef: { name: 'booking' }, minReplicaCount: 0, maxReplicaCount: 6,
    fallback: { failureThreshold: 2, replicas: 3, behavior: 'static' },
  });
  await createQueueScaler(c, ns, 'queue', { ...common, scaleTargetRef: { name: 'queue' }, minReplicaCount: 1, maxReplicaCount: 6 });
  operator = await startOperator('op-fallback', operatorEnv(ns, `redis://127.0.0.1:${port}`));
});

test.after(async () => {
  await operator?.stop();
  redis.disconnect();
  await stopRedis();
  await deleteNamespace(c, ns);
});

test('with Redis up: both follow the queue, and an idle queue takes booking (min 0) to zero', async () => {
  await redis.hset(stats, { waiting: 20 });
  await eventually(async () => (await replicas('queue')) === 2 && (await replicas('booking')) === 2, 5000, 50);
  await redis.hset(stats, { waiting: 0 });
  await eventually(async () => (await replicas('booking')) === 0 && (await replicas('queue')) === 1, 5000, 50);
  minReplicasSeen.queue = Infinity; // from here on, any drop would be the failure's doing
});

test('Redis unreachable: fallback replicas and the Fallback condition; no fallback keeps replicas; never zero', async () => {
  const queueBefore = await replicas('queue');
  const stoppedAt = Date.now();
  await stopRedis();

  const qs = await eventually(async () => {
    const got = await readQueueScaler(c, ns, 'booking');
    return condition(got, 'Fallback')?.status === 'True' ? got : undefined;
  }, 10_000, 50);
  await eventually(async () => (await replicas('booking')) === 3, 5000, 50);
  minReplicasSeen.booking = Infinity; // it was at 0 (idle) when Redis died; from 3 it must not fall
  process.stdout.write(`[figure] fallback applied ${Date.now() - stoppedAt} ms after Redis died (threshold 2 failed reads, polling 1 s)\n`);
  assert.is(condition(qs, 'Fallback')?.reason, 'FallbackActive');
  assert.is(condition(qs, 'Ready')?.status, 'False');
  assert.is(condition(qs, 'Ready')?.reason, 'MetricUnavailable');
  assert.ok((qs.status?.consecutiveFailures ?? 0) >= 2);

  const queue = await eventually(async () => {
    const got = await readQueueScaler(c, ns, 'queue');
    return (got.status?.consecutiveFailures ?? 0) >= 3 ? got : undefined;
  }, 10_000, 50);
  assert.is(condition(queue, 'Fallback')?.reason, 'NoFallbackFound');
  assert.is(condition(queue, 'Ready')?.reason, 'MetricUnavailable');
  assert.is(await replicas('queue'), queueBefore);
  assert.is(await replicas('booking'), 3);

  await eventually(async () => {
    const events = await c.events.listNamespacedEvent({ namespace: ns });
    return events.items.some((e) => e.reason === 'FallbackActivated' && e.type === 'Warning' && e.regarding?.name === 'booking')
      && events.items.some((e) => e.reason === 'FallbackScaled' && /from 0 to 3/.test(e.note ?? ''));
  }, 5000, 50);
  const metrics = await operator.metrics();
  assert.ok((sample(metrics, 'queue_scaler_consecutive_failures', `namespace="${ns}",name="booking"`) ?? 0) >= 2);
  assert.ok(minReplicasSeen.queue > 0);
});

test('Redis back: the fallback ends and scaling follows the queue again', async () => {
  await startRedis();
  await redis.hset(stats, { waiting: 50, active: 0 });
  await eventually(async () => (await replicas('booking')) === 5, 10_000, 50);
  const qs = await eventually(async () => {
    const got = await readQueueScaler(c, ns, 'booking');
    return condition(got, 'Fallback')?.status === 'False' && condition(got, 'Ready')?.status === 'True' ? got : undefined;
  }, 5000, 50);
  assert.is(qs.status?.consecutiveFailures, 0);
  assert.ok(minReplicasSeen.booking > 0, 'booking never went to zero while Redis was down');
  assert.ok(minReplicasSeen.queue > 0);
});

test.run();
