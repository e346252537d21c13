/**
 * A rollout gated by readiness while the operator owns the replica count. The pods are real pods of
 * the test cluster: kube-scheduler places them and kwok makes them Ready, except pods annotated
 * `kwok.x-k8s.io/status: custom`, whose status kwok leaves alone (they never become Ready, like
 * a release whose readiness probe fails). Nobody patches a pod's status.
 *
 * A release whose pods never become Ready stalls the rollout (maxUnavailable 0): the old pods keep
 * serving, the surge pod counts in the status' current replicas but not in its ready ones, and the
 * operator leaves spec.replicas where the queue puts it. A good release then completes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis';
import { queueKeys } from '@ticketping/redis';
import { eventually, randomPrefix, testEnv } from '@ticketping/testing';
import {
  applyCrd, clients, createDeployment, createNamespace, createQueueScaler, deleteNamespace, mergePatch, operatorEnv,
  readQueueScaler, replicasOf, startOperator, type OperatorProcess,
} from './support.ts';

const c = clients();
const redis = new Redis(testEnv.redisUrl);
const performanceId = randomPrefix('perf');
const stats = queueKeys(performanceId).stats;
const POLL_MS = 1000;
let ns = '';
let operator: OperatorProcess;

test.before(async () => {
  await applyCrd(c);
  ns = await createNamespace(c, 'qs-rollout');
  await createDeployment(c, ns, 'booking');
  await c.apps.patchNamespacedDeployment({
    namespace: ns, name: 'booking', body: { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } } },
  }, mergePatch);
  await redis.hset(stats, { waiting: 40, active: 0 });
  await createQueueScaler(c, ns, 'booking', {
    scaleTargetRef: { name: 'booking' }, source: { metric: 'waiting', performanceId }, targetPerReplica: 10, pollingIntervalSeconds: POLL_MS / 1000,
  });
  operator = await startOperator('rollout-a', operatorEnv(ns));
});

test.after(async () => {
  await operator?.stop();
  await redis.del(stats);
  redis.disconnect();
  await deleteNamespace(c, ns);
});

const deployment = () => c.apps.readNamespacedDeployment({ namespace: ns, name: 'booking' });
const readyPods = async () => (await c.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=booking' })).items
  .filter((p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'));

/** A new release: the template's `release` annotation changes; `stuck` pods are left unready by kwok. */
async function release(name: string, stuck: boolean): Promise<void> {
  const annotations: Record<string, string | null> = { release: name, 'kwok.x-k8s.io/status': stuck ? 'custom' : null };
  await c.apps.patchNamespacedDeployment({ namespace: ns, name: 'booking', body: { spec: { template: { metadata: { annotations } } } } }, mergePatch);
}

test('the operator scales to what the queue asks, and every pod becomes Ready', async () => {
  await eventually(async () => (await replicasOf(c, ns, 'booking')) === 4 && (await readyPods()).length === 4, 60_000, 200);
});

test('a release whose pods never become Ready stalls: the old pods keep serving and the operator holds the count', async () => {
  await release('broken', true);
  const stalled = await eventually(async () => {
    const d = await deployment();
    return d.status?.updatedReplicas === 1 && d.status.replicas === 5 ? d : undefined;
  }, 60_000, 200);
  assert.is(stalled.status?.readyReplicas, 4);
  const qs = await eventually(async () => {
    const got = await readQueueScaler(c, ns, 'booking');
    return got.status?.currentReplicas === 5 ? got : undefined;
  }, 30_000, 200);
  assert.equal([qs.status?.desiredReplicas, qs.status?.readyReplicas], [4, 4], 'the surge pod is current, not ready');
  // over three polls, the rollout goes no further and nothing the fans reach goes away
  const until = Date.now() + 3 * POLL_MS;
  while (Date.now() < until) {
    const [d, ready] = [await deployment(), await readyPods()];
    assert.equal([d.spec?.replicas, d.status?.updatedReplicas, ready.length], [4, 1, 4]);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
});

test('a good release completes: every pod is of the new template and Ready, and the count is still the operator\'s', async () => {
  await release('fixed', false);
  const done = await eventually(async () => {
    const d = await deployment();
    const s = d.status;
    return s?.observedGeneration === d.metadata?.generation && s?.updatedReplicas === 4 && s.readyReplicas === 4 && s.replicas === 4 ? d : undefined;
  }, 90_000, 250);
  assert.is(done.spec?.replicas, 4);
  const pods = await readyPods();
  assert.equal(pods.map((p) => p.metadata?.annotations?.release), ['fixed', 'fixed', 'fixed', 'fixed']);
  const qs = await eventually(async () => {
    const got = await readQueueScaler(c, ns, 'booking');
    return got.status?.currentReplicas === 4 && got.status.readyReplicas === 4 ? got : undefined;
  }, 30_000, 200);
  assert.is(qs.status?.desiredReplicas, 4);
});

test.run();
