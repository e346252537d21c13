/**
 * Another owner of the target: a real HorizontalPodAutoscaler object on the same Deployment, then a
 * second QueueScaler. The operator sets the Conflict condition, records an Event and writes nothing
 * to the Deployment until the conflict is gone.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis';
import { queueKeys } from '@ticketping/redis';
import { eventually, randomPrefix, testEnv } from '@ticketping/testing';
import {
  applyCrd, clients, condition, createDeployment, createNamespace, createQueueScaler, deleteNamespace, operatorEnv,
  readQueueScaler, replicasOf, startOperator, type OperatorProcess,
} from './support.ts';

const c = clients();
const redis = new Redis(testEnv.redisUrl);
const performanceId = randomPrefix('perf');
const stats = queueKeys(performanceId).stats;
const POLL_S = 1;
let ns = '';
let operator: OperatorProcess;
const fast = { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 10, periodSeconds: 1 }] };

test.before(async () => {
  await applyCrd(c);
  ns = await createNamespace(c, 'qs-conflict');
  await createDeployment(c, ns, 'booking');
  await redis.hset(stats, { waiting: 50, active: 0 });
  await createQueueScaler(c, ns, 'booking', {
    scaleTargetRef: { name: 'booking' }, source: { metric: 'waiting', performanceId }, targetPerReplica: 10, maxReplicaCount: 10,
    pollingIntervalSeconds: POLL_S, behavior: { scaleUp: fast, scaleDown: fast },
  });
  operator = await startOperator('conflict-a', operatorEnv(ns));
  await eventually(async () => (await replicasOf(c, ns, 'booking')) === 5, 15_000, 100);
});

test.after(async () => {
  await operator?.stop();
  await redis.del(stats);
  redis.disconnect();
  await deleteNamespace(c, ns);
});

const events = async (reason: string) => (await c.events.listNamespacedEvent({ namespace: ns })).items.filter((e) => e.reason === reason);

test('an HPA on the same Deployment: Conflict condition, a Warning Event, and the replicas are left alone', async () => {
  await c.autoscaling.createNamespacedHorizontalPodAutoscaler({
    namespace: ns,
    body: {
      metadata: { name: 'booking-cpu' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'booking' }, minReplicas: 2, maxReplicas: 4,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
      },
    },
  });
  const qs = await eventually(async () => {
    const got = await readQueueScaler(c, ns, 'booking');
    return condition(got, 'Conflict')?.status === 'True' ? got : undefined;
  }, 10_000, 100);
  assert.is(condition(qs, 'Conflict')?.reason, 'HorizontalPodAutoscaler');
  assert.match(condition(qs, 'Conflict')?.message ?? '', 'booking-cpu');
  assert.is(condition(qs, 'Ready')?.reason, 'TargetConflict');
  const warned = await eventually(async () => { const found = await events('Conflict'); return found.length ? found : undefined; }, 5000, 100);
  assert.is(warned[0]?.type, 'Warning');

  await redis.hset(stats, { waiting: 80 }); // would be 8 replicas
  await new Promise((resolve) => setTimeout(resolve, 3 * POLL_S * 1000 + 500)); // three polls in which nothing may be written
  assert.is(await replicasOf(c, ns, 'booking'), 5);
  assert.is((await events('Conflict')).length, 1, 'one Event per conflict, not one per poll');
});

test('the HPA removed: the conflict clears and scaling resumes', async () => {
  await c.autoscaling.deleteNamespacedHorizontalPodAutoscaler({ namespace: ns, name: 'booking-cpu' });
  await eventually(async () => (await replicasOf(c, ns, 'booking')) === 8, 10_000, 100);
  await eventually(async () => condition(await readQueueScaler(c, ns, 'booking'), 'Conflict')?.status === 'False', 5000, 100);
  assert.ok((await events('ConflictResolved')).length >= 1);
});

test('a second QueueScaler on the same Deployment stands back; the first keeps scaling', async () => {
  await createQueueScaler(c, ns, 'booking-copy', {
    scaleTargetRef: { name: 'booking' }, source: { metric: 'waiting', performanceId }, targetPerReplica: 40, pollingIntervalSeconds: POLL_S,
    behavior: { scaleUp: fast, scaleDown: fast },
  });
  const copy = await eventually(async () => {
    const got = await readQueueScaler(c, ns, 'booking-copy');
    return condition(got, 'Conflict')?.status === 'True' ? got : undefined;
  }, 10_000, 100);
  assert.is(condition(copy, 'Conflict')?.reason, 'QueueScaler');
  assert.match(condition(copy, 'Conflict')?.message ?? '', 'QueueScaler booking is older');
  // the copy would want ceil(30 / 40) = 1; the original wants 3, and only it writes
  await redis.hset(stats, { waiting: 30 });
  await eventually(async () => (await replicasOf(c, ns, 'booking')) === 3, 10_000, 100);
  await new Promise((resolve) => setTimeout(resolve, 2 * POLL_S * 1000 + 500));
  assert.is(await replicasOf(c, ns, 'booking'), 3);
  assert.is(condition(await readQueueScaler(c, ns, 'booking'), 'Conflict')?.status, 'False');
});

test.run();
