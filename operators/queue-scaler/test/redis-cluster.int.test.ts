/**
 * A QueueScaler reading a Redis Cluster (three real masters on loopback) through the operator's
 * named connection (`spec.redisRef`), beside one on the default single-node Redis. The waiting
 * rooms' keys live on different masters; the index `tp:queues` on whichever owns it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis';
import { QUEUE_INDEX_KEY, createRedis, queueKeys, type RedisClient } from '@ticketping/redis';
import { eventually, randomPrefix, testEnv } from '@ticketping/testing';
import {
  applyCrd, clients, condition, createDeployment, createNamespace, createQueueScaler, deleteNamespace, freePort, operatorEnv,
  readQueueScaler, replicasOf, startOperator, type OperatorProcess,
} from './support.ts';

const c = clients();
const dir = mkdtempSync(path.join(tmpdir(), 'qs-cluster-'));
const nodes: ChildProcess[] = [];
const ports: number[] = [];
let cluster: RedisClient;
const single = new Redis(testEnv.redisUrl);
let ns = '';
let operator: OperatorProcess;
const clusterQueues = Array.from({ length: 6 }, () => randomPrefix('perf'));
const singleQueue = randomPrefix('perf');
const fast = { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 10, periodSeconds: 1 }] };

test.before(async () => {
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    ports.push(port);
    nodes.push(spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`,
      '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }));
  }
  // a loaded machine starts three redis-servers slowly: generous deadlines
  await eventually(() => ports.every((port) => spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG'), 30_000, 100);
  const created = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8' });
  assert.is(created.status, 0, created.stdout + created.stderr);
  await eventually(() => spawnSync('redis-cli', ['-p', String(ports[0]), 'cluster', 'info'], { encoding: 'utf8' }).stdout.includes('cluster_state:ok'), 30_000, 100);
  cluster = createRedis({ clusterNodes: ports.map((p) => `127.0.0.1:${p}`) });
  // 6 rooms × 5 waiting = 30 in the cluster → 3 replicas at 10 per replica
  for (const id of clusterQueues) {
    await cluster.hset(queueKeys(id).stats, { waiting: 5, active: 0 });
    await cluster.sadd(QUEUE_INDEX_KEY, id);
  }
  await single.hset(queueKeys(singleQueue).stats, { waiting: 70, active: 0 });

  await applyCrd(c);
  ns = await createNamespace(c, 'qs-cluster');
  for (const name of ['booking', 'queue']) await createDeployment(c, ns, name);
  await createQueueScaler(c, ns, 'booking', {
    scaleTargetRef: { name: 'booking' }, redisRef: 'sales-cluster', source: { metric: 'waiting' }, targetPerReplica: 10,
    pollingIntervalSeconds: 1, behavior: { scaleUp: fast, scaleDown: fast },
  });
  await createQueueScaler(c, ns, 'queue', {
    scaleTargetRef: { name: 'queue' }, source: { metric: 'waiting', performanceId: singleQueue }, targetPerReplica: 10,
    pollingIntervalSeconds: 1, behavior: { scaleUp: fast, scaleDown: fast },
  });
  operator = await startOperator('cluster-a', {
    ...operatorEnv(ns),
    REDIS_CONNECTIONS: JSON.stringify({ 'sales-cluster': { clusterNodes: ports.map((p) => `127.0.0.1:${p}`) } }),
  });
});

test.after(async () => {
  await operator?.stop();
  cluster?.disconnect();
  await single.del(queueKeys(singleQueue).stats);
  single.disconnect();
  for (const node of nodes) node.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
  await deleteNamespace(c, ns);
});

test('the rooms are spread over the cluster\'s masters', async () => {
  const masters = new Set(clusterQueues.map((id) => spawnSync('redis-cli', ['-p', String(ports[0]), 'cluster', 'keyslot', queueKeys(id).stats], { encoding: 'utf8' }).stdout.trim())
    .map((slot) => Math.floor(Number(slot) / (16384 / 3))));
  assert.ok(masters.size >= 2, 'six rooms on at least two masters');
});

test('a QueueScaler with redisRef sums the rooms of the Redis Cluster; one without reads the default Redis', async () => {
  await eventually(async () => (await replicasOf(c, ns, 'booking')) === 3, 15_000, 100);
  await eventually(async () => (await replicasOf(c, ns, 'queue')) === 7, 15_000, 100);
  // The status is written after the scale: wait for it rather than race it.
  await eventually(async () => (await readQueueScaler(c, ns, 'booking')).status?.lastMetricValue === 30, 10_000, 100);
});

test('a redisRef the operator does not know is a failed metric read, named in the condition', async () => {
  await createDeployment(c, ns, 'gateway');
  await createQueueScaler(c, ns, 'unknown-ref', {
    scaleTargetRef: { name: 'gateway' }, redisRef: 'nowhere', targetPerReplica: 10, pollingIntervalSeconds: 1,
  });
  const qs = await eventually(async () => {
    const got = await readQueueScaler(c, ns, 'unknown-ref');
    return condition(got, 'Ready')?.reason === 'MetricUnavailable' ? got : undefined;
  }, 10_000, 100);
  assert.match(condition(qs, 'Ready')?.message ?? '', 'redisRef nowhere is not one of the operator\'s REDIS_CONNECTIONS (sales-cluster)');
  assert.is(await replicasOf(c, ns, 'gateway'), 1, 'a failed read never scales');
});

test.run();
