/**
 * Two operator processes on one Lease: only the holder scales; killing it (SIGKILL, no goodbye)
 * hands scaling to the standby within 20 s; a graceful stop releases the Lease at once.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis';
import { queueKeys } from '@ticketping/redis';
import { eventually, randomPrefix, testEnv } from '@ticketping/testing';
import {
  applyCrd, clients, createDeployment, createNamespace, createQueueScaler, deleteNamespace, operatorEnv,
  replicasOf, sample, startOperator, type OperatorProcess,
} from './support.ts';

const c = clients();
const redis = new Redis(testEnv.redisUrl);
const performanceId = randomPrefix('perf');
const stats = queueKeys(performanceId).stats;
const LEASE = 'queue-scaler';
let ns = '';
const operators = new Map<string, OperatorProcess>();

async function holder(): Promise<string> {
  const lease = await c.leases.readNamespacedLease({ namespace: ns, name: LEASE });
  return lease.spec?.holderIdentity ?? '';
}

async function scaleEventsBy(): Promise<string[]> {
  const events = await c.events.listNamespacedEvent({ namespace: ns });
  return events.items.filter((e) => e.reason === 'ScaledUp' || e.reason === 'ScaledDown').map((e) => e.reportingInstance ?? '');
}

test.before(async () => {
  await applyCrd(c);
  ns = await createNamespace(c, 'qs-leader');
  await createDeployment(c, ns, 'queue');
  await redis.hset(stats, { waiting: 0, active: 0 });
  await createQueueScaler(c, ns, 'queue', {
    scaleTargetRef: { name: 'queue' },
    source: { metric: 'waiting', performanceId },
    targetPerReplica: 100,
    maxReplicaCount: 20,
    pollingIntervalSeconds: 1,
    behavior: { scaleUp: { policies: [{ type: 'Pods', value: 20, periodSeconds: 1 }] } },
  });
  const [a, b] = await Promise.all([startOperator('op-a', operatorEnv(ns)), startOperator('op-b', operatorEnv(ns))]);
  operators.set('op-a', a);
  operators.set('op-b', b);
});

test.after(async () => {
  await Promise.all([...operators.values()].map((o) => o.stop('SIGKILL')));
  await redis.del(stats);
  redis.disconnect();
  await deleteNamespace(c, ns);
});

test('one instance holds the Lease; only it scales; the standby reports is_leader 0', async () => {
  const leader = await eventually(async () => holder(), 10_000, 100);
  const standby = leader === 'op-a' ? 'op-b' : 'op-a';
  await redis.hset(stats, { waiting: 450 });
  await eventually(async () => (await replicasOf(c, ns, 'queue')) === 5, 5000, 50);
  // the Event follows the scale it reports
  const reporters = await eventually(async () => { const by = await scaleEventsBy(); return by.length ? by : undefined; }, 5000, 50);
  assert.equal([...new Set(reporters)], [leader]);

  const leaderMetrics = await operators.get(leader)?.metrics() ?? '';
  const standbyMetrics = await operators.get(standby)?.metrics() ?? '';
  assert.is(sample(leaderMetrics, 'queue_scaler_is_leader'), 1);
  assert.is(sample(standbyMetrics, 'queue_scaler_is_leader'), 0);
  assert.is(sample(standbyMetrics, 'queue_scaler_desired_replicas'), undefined, 'the standby decides nothing');
  // both are ready: readiness never depends on leadership
  for (const op of operators.values()) assert.ok((await fetch(`http://127.0.0.1:${op.port}/readyz`)).ok);
});

test('kill the leader: the standby takes over within 20 s and scales', async () => {
  const leader = await holder();
  const standby = leader === 'op-a' ? 'op-b' : 'op-a';
  const killedAt = Date.now();
  await operators.get(leader)?.stop('SIGKILL');
  operators.delete(leader);
  await redis.hset(stats, { waiting: 850 });

  await eventually(async () => (await holder()) === standby, 20_000, 100);
  const tookOverMs = Date.now() - killedAt;
  await eventually(async () => (await replicasOf(c, ns, 'queue')) === 9, 20_000 - tookOverMs, 50);
  const scaledMs = Date.now() - killedAt;
  process.stdout.write(`[figure] takeover after SIGKILL: lease ${tookOverMs} ms, scaled ${scaledMs} ms (lease duration 4000 ms)\n`);
  assert.ok(scaledMs < 20_000);
  await eventually(async () => (await scaleEventsBy()).includes(standby), 5000, 50);
  assert.is(sample(await operators.get(standby)?.metrics() ?? '', 'queue_scaler_is_leader'), 1);
});

test('a graceful stop (SIGTERM) releases the Lease, and a new instance leads at once', async () => {
  const leader = await holder();
  const code = await operators.get(leader)?.stop('SIGTERM');
  operators.delete(leader);
  assert.is(code, 0);
  assert.is(await holder(), '');
  const startedAt = Date.now();
  const next = await startOperator('op-c', operatorEnv(ns));
  operators.set('op-c', next);
  await eventually(async () => (await holder()) === 'op-c', 5000, 50);
  process.stdout.write(`[figure] new leader after a released lease: ${Date.now() - startedAt} ms (including process start)\n`);
});

test.run();
