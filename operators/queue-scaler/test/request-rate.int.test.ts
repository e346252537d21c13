/**
 * The queue tier scales on the requests its own pods serve (source.metric requestRate): the
 * operator (a child process) lists the pods by label, scrapes each Ready one's /metrics on its
 * named port and sums the pods' requests per second, over the chosen routes only.
 *
 * The pods are real pods, scheduled by kube-scheduler and made Ready by kwok, on the host network
 * (kwok gives them 127.0.0.1, where the stand-ins listen). Each stand-in's /metrics is synthetic:
 * its counters grow with the wall clock at the rate the test sets, so the measured rate does not
 * depend on how fast this machine can send requests.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually } from '@ticketping/testing';
import {
  applyCrd, clients, createDeployment, createNamespace, createQueueScaler, deleteNamespace, operatorEnv, readQueueScaler, replicasOf,
  startOperator, type OperatorProcess,
} from './support.ts';

const POLL_ROUTE = '/api/v1/queues/:performanceId/entries/me';
const c = clients();
let ns = '';
let operator: OperatorProcess;

/** A queue pod's /metrics: a poll counter at `pollsPerSecond` and a busy other route the scaler must ignore. */
interface StandIn { server: http.Server; port: number; setPollRate(perSecond: number): void }

function standIn(): Promise<StandIn> {
  let polls = 0;
  let rate = 0;
  let since = Date.now();
  const startedAt = Date.now();
  const pollsNow = () => polls + rate * (Date.now() - since) / 1000;
  const series = (route: string, n: number) => [
    `http_server_request_duration_seconds_bucket{method="GET",route="${route}",status="200",le="0.01"} ${n}`,
    `http_server_request_duration_seconds_bucket{method="GET",route="${route}",status="200",le="+Inf"} ${n}`,
    `http_server_request_duration_seconds_sum{method="GET",route="${route}",status="200"} ${n * 0.002}`,
    `http_server_request_duration_seconds_count{method="GET",route="${route}",status="200"} ${n}`,
  ];
  const server = http.createServer((req, res) => {
    if (req.url !== '/metrics') { res.writeHead(404).end(); return; }
    const others = Math.floor(500 * (Date.now() - startedAt) / 1000);
    const body = [
      '# TYPE http_server_request_duration_seconds histogram',
      ...series(POLL_ROUTE, Math.floor(pollsNow())),
      ...series('/internal/v1/queues/:performanceId', others),
      ...series('/readyz', others),
    ].join('\n');
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`${body}\n`);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    server,
    port: (server.address() as AddressInfo).port,
    setPollRate(perSecond) { polls = pollsNow(); since = Date.now(); rate = perSecond; },
  })));
}

const pods: StandIn[] = [];

async function queuePodDeployment(name: string, port: number): Promise<void> {
  const labels = { app: 'queue-pods', shard: name };
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: {
      metadata: { name: `queue-${name}` },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { hostNetwork: true, containers: [{ name: 'queue', image: 'ticketping/queue:test', ports: [{ name: 'management', containerPort: port }] }] },
        },
      },
    },
  });
}

/** The scaler's status once it names `replicas`: the operator writes the status after it scales, so replicas alone can be ahead of it. */
async function statusAt(replicas: number) {
  return eventually(async () => {
    const status = (await readQueueScaler(c, ns, 'queue')).status;
    return status?.desiredReplicas === replicas ? status : undefined;
  }, 30_000, 250);
}

async function readyPods(): Promise<number> {
  const list = await c.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=queue-pods' });
  return list.items.filter((p) => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')).length;
}

test.before(async () => {
  await applyCrd(c);
  ns = await createNamespace(c, 'qs-rate');
  await createDeployment(c, ns, 'queue');
  for (const name of ['a', 'b']) {
    const pod = await standIn();
    pods.push(pod);
    await queuePodDeployment(name, pod.port);
  }
  await eventually(async () => (await readyPods()) === 2, 60_000, 250);
  await createQueueScaler(c, ns, 'queue', {
    scaleTargetRef: { name: 'queue' },
    source: { metric: 'requestRate', route: POLL_ROUTE, pods: { selector: { matchLabels: { app: 'queue-pods' } }, port: 'management' } },
    targetPerReplica: 20,
    minReplicaCount: 1,
    maxReplicaCount: 10,
    pollingIntervalSeconds: 1,
    cooldownPeriodSeconds: 0,
    behavior: { scaleDown: { stabilizationWindowSeconds: 0 } },
  });
  operator = await startOperator('rate-a', operatorEnv(ns));
});

test.after(async () => {
  await operator?.stop();
  for (const pod of pods) await new Promise((resolve) => pod.server.close(resolve));
  await deleteNamespace(c, ns);
});

test('polls at 50 per second over two pods (25 each, among 1000/s on other routes): 3 replicas at 20 per replica', async () => {
  for (const pod of pods) pod.setPollRate(25);
  await eventually(async () => (await replicasOf(c, ns, 'queue')) === 3, 60_000, 250);
  const s = await statusAt(3);
  assert.ok((s.lastMetricValue ?? 0) > 40 && (s.lastMetricValue ?? 0) <= 60, `measured ${s.lastMetricValue} requests/s`);
});

test('one pod polled harder: the pods\' rates add up (25 + 125 = 150/s → 8 replicas)', async () => {
  pods[1]!.setPollRate(125);
  await eventually(async () => (await replicasOf(c, ns, 'queue')) === 8, 60_000, 250);
});

test('the polls stop (other routes stay busy): back to minReplicaCount', async () => {
  for (const pod of pods) pod.setPollRate(0);
  await eventually(async () => (await replicasOf(c, ns, 'queue')) === 1, 60_000, 250);
  // a rate window still holding some polls also scales to 1: wait for the one without any
  await eventually(async () => (await readQueueScaler(c, ns, 'queue')).status?.lastMetricValue === 0, 30_000, 250);
  assert.is((await statusAt(1)).lastMetricValue, 0);
});

test.run();
