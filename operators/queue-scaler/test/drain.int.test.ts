/**
 * A node drain that honours the PodDisruptionBudget, as `kubectl drain` does it: cordon the node,
 * then evict its pods through the Eviction API, waiting and retrying whenever the API refuses
 * (429: the budget is spent). With a budget of 0 the drain stalls; with the chart's budget (one
 * pod down at a time) it completes while at least 3 of 4 pods stay Ready. kwok makes replacement
 * pods Ready within milliseconds, so a refusal on the way is possible but not certain. The pods are real pods of the test cluster (scheduled, run and made
 * Ready by kube-scheduler and kwok); the disruption controller keeps the budget. The operator owns
 * the Deployment's replica count throughout and must not fight the drain.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis';
import { queueKeys } from '@ticketping/redis';
import { eventually, randomPrefix, testEnv } from '@ticketping/testing';
import {
  applyCrd, clients, createDeployment, createNamespace, createQueueScaler, deleteNamespace, mergePatch, operatorEnv,
  readQueueScaler, startOperator, statusCodeOf, type OperatorProcess,
} from './support.ts';

const c = clients();
const redis = new Redis(testEnv.redisUrl);
const performanceId = randomPrefix('perf');
const stats = queueKeys(performanceId).stats;
let ns = '';
let operator: OperatorProcess;
let drained = '';
let victims: string[] = [];

test.before(async () => {
  await applyCrd(c);
  ns = await createNamespace(c, 'qs-drain');
  await createDeployment(c, ns, 'booking');
  // no disruption allowed at first (an on-sale in progress); the chart's budget, one pod down at a time, later
  await c.policy.createNamespacedPodDisruptionBudget({
    namespace: ns, body: { metadata: { name: 'booking' }, spec: { maxUnavailable: 0, selector: { matchLabels: { app: 'booking' } } } },
  });
  await redis.hset(stats, { waiting: 40, active: 0 });
  await createQueueScaler(c, ns, 'booking', {
    scaleTargetRef: { name: 'booking' }, source: { metric: 'waiting', performanceId }, targetPerReplica: 10, pollingIntervalSeconds: 1,
  });
  operator = await startOperator('drain-a', operatorEnv(ns));
});

test.after(async () => {
  if (drained) await c.core.patchNode({ name: drained, body: { spec: { unschedulable: false } } }, mergePatch).catch(() => undefined);
  await operator?.stop();
  await redis.del(stats);
  redis.disconnect();
  await deleteNamespace(c, ns);
});

const bookingPods = async () => (await c.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=booking' })).items
  .filter((p) => !p.metadata?.deletionTimestamp);
const isReady = (p: Awaited<ReturnType<typeof bookingPods>>[number]) => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ?? false;

const budget = async () => (await c.policy.readNamespacedPodDisruptionBudget({ namespace: ns, name: 'booking' })).status;

async function evict(name: string): Promise<boolean> {
  try {
    await c.core.createNamespacedPodEviction({ namespace: ns, name, body: { metadata: { name, namespace: ns } } });
    return true;
  } catch (error) {
    if (statusCodeOf(error) !== 429) throw error;
    return false; // the budget is spent: kubectl drain waits and retries
  }
}

test('a budget allowing no disruption stalls the drain: the eviction is refused and the pod stays', async () => {
  await eventually(async () => (await bookingPods()).filter(isReady).length === 4, 20_000, 100);
  await eventually(async () => { const s = await budget(); return s?.expectedPods === 4 && s.currentHealthy === 4 && s.disruptionsAllowed === 0; }, 10_000, 100);
  const byNode = new Map<string, string[]>();
  for (const pod of await bookingPods()) byNode.set(pod.spec?.nodeName ?? '', [...(byNode.get(pod.spec?.nodeName ?? '') ?? []), pod.metadata?.name ?? '']);
  [drained, victims] = [...byNode.entries()].sort((a, b) => b[1].length - a[1].length)[0]!;
  await c.core.patchNode({ name: drained, body: { spec: { unschedulable: true } } }, mergePatch);
  for (let attempt = 0; attempt < 3; attempt++) assert.is(await evict(victims[0]!), false, 'refused while the budget is 0');
  assert.ok((await bookingPods()).some((p) => p.metadata?.name === victims[0]), 'still there');
});

test('the budget allows one: the drain evicts the node\'s pods, at least 3 of 4 stay Ready, the pods land elsewhere', async () => {
  await c.policy.patchNamespacedPodDisruptionBudget({ namespace: ns, name: 'booking', body: { spec: { maxUnavailable: 1 } } }, mergePatch);
  let minReady = 4;
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      minReady = Math.min(minReady, (await bookingPods()).filter(isReady).length);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  })();
  let refused = 0;
  for (const name of victims) {
    await eventually(async () => {
      if (await evict(name)) return true;
      refused++;
      return false;
    }, 30_000, 100);
  }
  await eventually(async () => {
    const pods = await bookingPods();
    return pods.length === 4 && pods.filter(isReady).length === 4 && pods.every((p) => p.spec?.nodeName !== drained);
  }, 30_000, 100);
  watching = false;
  await watcher;

  process.stdout.write(`[figure] drained ${drained}: ${victims.length} pods evicted, ${refused} evictions refused on the way, fewest Ready seen ${minReady} of 4\n`);
  assert.ok(minReady >= 3, `fewest Ready ${minReady}`);
  // the operator kept its count: no fight with the drain
  const qs = await readQueueScaler(c, ns, 'booking');
  assert.equal([qs.status?.desiredReplicas, (await c.apps.readNamespacedDeployment({ namespace: ns, name: 'booking' })).spec?.replicas], [4, 4]);
  await eventually(async () => (await readQueueScaler(c, ns, 'booking')).status?.readyReplicas === 4, 10_000, 100);
});

test.run();
