/**
 * One operator against the real API server, controller-manager and Redis: depth up → replicas up
 * within two polling intervals; depth down → back to the minimum after the cooldown; status,
 * conditions, printer columns, Events, field ownership and metrics (admission control: admission.int.test.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis';
import { queueKeys } from '@ticketping/redis';
import { eventually, randomPrefix, testEnv } from '@ticketping/testing';
import {
  applyCrd, clients, condition, createDeployment, createNamespace, createQueueScaler, deleteNamespace, queueScalerTable,
  operatorEnv, patchQueueScaler, readQueueScaler, replicasOf, sample, startOperator, type OperatorProcess,
} from './support.ts';

const c = clients();
const redis = new Redis(testEnv.redisUrl);
const performanceId = randomPrefix('perf');
const stats = queueKeys(performanceId).stats;
// 2 s polls leave room for a loaded CI machine; the cooldown spans several polls so it can be seen holding
const POLL_S = 2;
const COOLDOWN_S = 6;
let ns = '';
let operator: OperatorProcess;

test.before(async () => {
  await applyCrd(c);
  ns = await createNamespace(c, 'qs-scale');
  await createDeployment(c, ns, 'booking');
  await redis.hset(stats, { waiting: 0, active: 0 });
  await createQueueScaler(c, ns, 'booking', {
    scaleTargetRef: { name: 'booking' },
    source: { metric: 'backlog', performanceId },
    targetPerReplica: 10,
    minReplicaCount: 1,
    maxReplicaCount: 8,
    pollingIntervalSeconds: POLL_S,
    cooldownPeriodSeconds: COOLDOWN_S,
    behavior: {
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 10, periodSeconds: 1 }] },
      scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 1 }] },
    },
  });
  operator = await startOperator('scaler-a', operatorEnv(ns));
});

test.after(async () => {
  await operator?.stop();
  await redis.del(stats, queueKeys(performanceId).config);
  redis.disconnect();
  await deleteNamespace(c, ns);
});

test('an idle queue leaves the target at the minimum, and the status says so', async () => {
  const qs = await eventually(async () => {
    const got = await readQueueScaler(c, ns, 'booking');
    return got.status?.observedGeneration === got.metadata.generation && condition(got, 'Ready')?.status === 'True' ? got : undefined;
  }, 10_000, 100);
  assert.is(qs.status?.desiredReplicas, 1);
  assert.is(qs.status?.lastMetricValue, 0);
  assert.is(condition(qs, 'Active')?.reason, 'ScalerNotActive');
  assert.is(await replicasOf(c, ns, 'booking'), 1);
});

test('depth up: replicas rise within two polling intervals', async () => {
  const started = Date.now();
  await redis.hset(stats, { waiting: 45, active: 5 }); // backlog 50 at 10 per replica → 5
  await eventually(async () => (await replicasOf(c, ns, 'booking')) === 5, 2 * POLL_S * 1000 * 1.1 + 500, 25);
  const elapsed = Date.now() - started;
  process.stdout.write(`[figure] scale-up reaction: ${elapsed} ms (polling interval ${POLL_S * 1000} ms)\n`);

  const qs = await eventually(async () => {
    const got = await readQueueScaler(c, ns, 'booking');
    return got.status?.desiredReplicas === 5 ? got : undefined;
  }, 5000, 50);
  assert.is(qs.status?.lastMetricValue, 50);
  assert.is(qs.status?.observedGeneration, qs.metadata.generation);
  assert.ok(qs.status?.lastScaleTime && qs.status.lastMetricTime && qs.status.lastActiveTime);
  assert.is(condition(qs, 'Ready')?.status, 'True');
  assert.is(condition(qs, 'Active')?.reason, 'ScalerActive');
  assert.is(condition(qs, 'Fallback')?.status, 'False');
  assert.is(condition(qs, 'Paused')?.status, 'False');
});

test('printer columns show what the status holds', async () => {
  const row = await eventually(async () => {
    const rows = await queueScalerTable(c, ns);
    // the five pods are scheduled and made Ready by the test cluster's kwok Nodes
    return rows[0]?.Current === '5' && rows[0]['Ready-Replicas'] === '5' ? rows[0] : undefined;
  }, 10_000, 200);
  assert.equal(row, {
    Name: 'booking', Target: 'booking', Min: '1', Max: '8', Desired: '5', Current: '5', Metric: '50',
    Ready: 'True', Active: 'True', Fallback: 'False', Paused: 'False', 'Admin-Ceiling': '', 'Operator-Rate': '',
    Source: 'backlog', 'Target-Per-Replica': '10', 'Ready-Replicas': '5', 'Booking-P95-Ms': '', 'Booking-Pods': '',
    'Last-Scale': row['Last-Scale'], Age: row.Age,
  });
  assert.match(row['Last-Scale'] ?? '', /^\d+s$/);
});

test('every scale is an Event on the QueueScaler, and replicas are written through /scale by the operator alone', async () => {
  // the operator writes no queue setting without admissionControl, and never the admin's admitPerMinute
  assert.is(await redis.exists(queueKeys(performanceId).config), 0);
  const scaled = await eventually(async () => {
    const events = await c.events.listNamespacedEvent({ namespace: ns });
    const found = events.items.filter((e) => e.reason === 'ScaledUp' && e.regarding?.kind === 'QueueScaler');
    return found.length ? found : undefined;
  }, 5000, 50);
  assert.match(scaled.at(-1)?.note ?? '', /from 1 to 5/);
  assert.is(scaled[0]?.reportingController, 'scaling.ticketping.dev/queue-scaler');
  assert.is(scaled[0]?.reportingInstance, 'scaler-a');
  assert.is(scaled[0]?.related?.name, 'booking');

  const deployment = await c.apps.readNamespacedDeployment({ namespace: ns, name: 'booking' });
  const replicasOwners = (deployment.metadata?.managedFields ?? [])
    .filter((f) => (f.fieldsV1 as { 'f:spec'?: Record<string, unknown> } | undefined)?.['f:spec']?.['f:replicas'] !== undefined)
    .map((f) => `${f.manager}/${f.subresource ?? ''}`);
  assert.equal(replicasOwners, ['queue-scaler/scale']);
});

test('/metrics reports leadership, replicas, the metric and reconcile times', async () => {
  const text = await operator.metrics();
  const labels = `namespace="${ns}",name="booking"`;
  assert.is(sample(text, 'queue_scaler_is_leader'), 1);
  assert.is(sample(text, 'queue_scaler_desired_replicas', labels), 5);
  assert.is(sample(text, 'queue_scaler_metric_value', labels), 50);
  assert.is(sample(text, 'queue_scaler_consecutive_failures', labels), 0);
  const count = sample(text, 'queue_scaler_reconcile_duration_seconds_count', 'outcome="ok"') ?? 0;
  const seconds = sample(text, 'queue_scaler_reconcile_duration_seconds_sum', 'outcome="ok"') ?? 0;
  assert.ok(count >= 2);
  process.stdout.write(`[figure] mean reconcile (read target + Redis, scale, Event, status): ${((seconds / count) * 1000).toFixed(1)} ms over ${count}\n`);
});

test('depth down: held through the cooldown, then back to the minimum', async () => {
  const lowered = Date.now();
  await redis.hset(stats, { waiting: 0, active: 0 });
  const cooling = await eventually(async () => {
    const got = await readQueueScaler(c, ns, 'booking');
    return condition(got, 'Active')?.reason === 'ScalerCooldown' ? got : undefined;
  }, COOLDOWN_S * 1000, 50);
  assert.is(cooling.status?.desiredReplicas, 5);
  await eventually(async () => (await replicasOf(c, ns, 'booking')) === 1, (COOLDOWN_S + 2 * POLL_S * 1.1) * 1000 + 1000, 50);
  const elapsed = Date.now() - lowered;
  process.stdout.write(`[figure] back to min after ${elapsed} ms (cooldown ${COOLDOWN_S * 1000} ms)\n`);
  // the cooldown runs from the last active read, up to one poll before the depth fell
  assert.ok(elapsed >= (COOLDOWN_S - POLL_S * 1.1) * 1000, `not before the cooldown (${elapsed} ms)`);
  const qs = await eventually(async () => {
    const got = await readQueueScaler(c, ns, 'booking');
    return condition(got, 'Active')?.reason === 'ScalerNotActive' ? got : undefined;
  }, 3 * POLL_S * 1000, 50);
  assert.is(qs.status?.desiredReplicas, 1);
  await eventually(async () => {
    const events = await c.events.listNamespacedEvent({ namespace: ns });
    return events.items.some((e) => e.reason === 'ScaledDown' && /from 5 to 1/.test(e.note ?? ''));
  }, 5000, 50);
  // the four removed pods are gone (kwok ran them; the controller-manager removes them)
  await eventually(async () => (await readQueueScaler(c, ns, 'booking')).status?.readyReplicas === 1, 3 * POLL_S * 1000 + 5000, 50);
});

test('a missing target is reported (Ready=False) and polled, not retried in a hot loop', async () => {
  await createQueueScaler(c, ns, 'orphan', { scaleTargetRef: { name: 'not-deployed-yet' }, targetPerReplica: 10, pollingIntervalSeconds: POLL_S });
  const qs = await eventually(async () => {
    const got = await readQueueScaler(c, ns, 'orphan');
    return condition(got, 'Ready')?.reason === 'TargetNotReadable' ? got : undefined;
  }, 3 * POLL_S * 1000, 50);
  assert.is(condition(qs, 'Ready')?.status, 'False');
  assert.match(condition(qs, 'Ready')?.message ?? '', 'not-deployed-yet');
  // once the Deployment appears, the next poll picks it up
  await createDeployment(c, ns, 'not-deployed-yet');
  await eventually(async () => condition(await readQueueScaler(c, ns, 'orphan'), 'Ready')?.status === 'True', 3 * POLL_S * 1000, 50);
});

test('paused: the Paused condition is set and replicas are left alone', async () => {
  const patched = await patchQueueScaler(c, ns, 'booking', { paused: true });
  await eventually(async () => {
    const got = await readQueueScaler(c, ns, 'booking');
    return got.status?.observedGeneration === patched.metadata.generation && condition(got, 'Paused')?.status === 'True';
  }, 5000, 50);
  await redis.hset(stats, { waiting: 70 });
  await new Promise((resolve) => setTimeout(resolve, 2 * POLL_S * 1000 + 500)); // two polls in which nothing may happen
  assert.is(await replicasOf(c, ns, 'booking'), 1);
  await patchQueueScaler(c, ns, 'booking', { paused: false });
  await eventually(async () => (await replicasOf(c, ns, 'booking')) === 7, 3 * POLL_S * 1000, 50);
});

test.run();
