/**
 * Pre-warm before a scheduled open, on the test cluster (kube-scheduler + kwok run the pods): the
 * booking, queue and gateway Deployments each follow their own QueueScaler. The waiting room opens
 * in a few seconds with a pre-queue; ahead of the open each target is scaled to what the pre-queue
 * predicts (pods scheduled and Ready before the open), and after the hold the live signal, which
 * sees nothing to do, takes them back down.
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
const k = queueKeys(performanceId);
const LEAD_S = 6;
const HOLD_S = 4;
// far enough ahead that the operator's first polls come before the lead window on a slow machine
const OPEN_IN_MS = 14_000;
const fast = { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 1 }] };
// fans per replica at the open: 600 pre-queued → booking 6, queue 2, gateway 3
const tiers = { booking: 100, queue: 300, gateway: 200 } as const;
let ns = '';
let operator: OperatorProcess;
let opensAtMs = 0;

test.before(async () => {
  await applyCrd(c);
  ns = await createNamespace(c, 'qs-prewarm');
  opensAtMs = Date.now() + OPEN_IN_MS;
  await redis.hset(k.config, { capacity: 100, admitPerMinute: 600, state: 'OPEN', opensAtMs });
  await redis.hset(k.stats, { waiting: 0, active: 0 }); // the live signal: nobody in line yet (the pre-queue is not the line)
  await redis.zadd(k.preQueue, ...Array.from({ length: 600 }, (_, i) => [i, `fan-${i}`]).flat());
  for (const [name, fansPerReplica] of Object.entries(tiers)) {
    await createDeployment(c, ns, name);
    await createQueueScaler(c, ns, name, {
      scaleTargetRef: { name }, source: { metric: 'active', performanceId }, targetPerReplica: 1000, cooldownPeriodSeconds: 0,
      pollingIntervalSeconds: 1, behavior: { scaleUp: fast, scaleDown: fast },
      preWarm: { leadSeconds: LEAD_S, holdSeconds: HOLD_S, fansPerReplica },
    });
  }
  operator = await startOperator('prewarm-a', operatorEnv(ns));
});

test.after(async () => {
  await operator?.stop();
  await redis.del(k.config, k.stats, k.preQueue);
  redis.disconnect();
  await deleteNamespace(c, ns);
});

test('ahead of the open every tier is scaled to what the pre-queue predicts, and its pods are Ready before the open', async () => {
  const want = { booking: 6, queue: 2, gateway: 3 };
  await eventually(async () => {
    for (const [name, n] of Object.entries(want)) {
      const d = await c.apps.readNamespacedDeployment({ namespace: ns, name });
      if (d.spec?.replicas !== n || d.status?.readyReplicas !== n) return false;
    }
    return true;
  }, OPEN_IN_MS + 5000, 100);
  const readyAt = Date.now();
  process.stdout.write(`[figure] all three tiers pre-warmed and Ready ${opensAtMs - readyAt} ms before the open (lead ${LEAD_S * 1000} ms)\n`);
  assert.ok(readyAt < opensAtMs, `Ready ${readyAt - opensAtMs} ms after the open`);

  const booking = await readQueueScaler(c, ns, 'booking');
  assert.is(condition(booking, 'Active')?.reason, 'PreWarming');
  assert.match(condition(booking, 'Active')?.message ?? '', `${performanceId} opens in`);
  // not before the lead window: the scale was made no earlier than one poll ahead of it
  const scaledAt = Date.parse(booking.status?.lastScaleTime ?? '');
  assert.ok(scaledAt >= opensAtMs - LEAD_S * 1000 - 1500, `scaled ${opensAtMs - scaledAt} ms before the open`);
  const events = await c.events.listNamespacedEvent({ namespace: ns });
  assert.ok(events.items.some((e) => e.reason === 'PreWarmed' && e.related?.name === 'gateway'));
});

test('after the hold the live signal takes over and, with nobody active, scales back to the minimum', async () => {
  await eventually(async () => (await replicasOf(c, ns, 'booking')) === 1, OPEN_IN_MS + (HOLD_S + 10) * 1000, 100);
  const backAt = Date.now();
  assert.ok(backAt >= opensAtMs + HOLD_S * 1000, `back ${backAt - opensAtMs} ms after the open`);
  await eventually(async () => (await replicasOf(c, ns, 'queue')) === 1 && (await replicasOf(c, ns, 'gateway')) === 1, 5000, 100);
  assert.is(condition(await readQueueScaler(c, ns, 'booking'), 'Active')?.reason, 'ScalerNotActive');
});

test.run();
