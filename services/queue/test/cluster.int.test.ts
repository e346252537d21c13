import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMetrics } from '@ticketping/metrics';
import { QUEUE_INDEX_KEY, createRedis, queueKeys, type RedisClient } from '@ticketping/redis';
import { eventually, solveProofOfWork } from '@ticketping/testing';
import { rebuildQueues } from '../src/rebuild/rebuild-queues.ts';
import { createService, type QueueService } from '../src/service.ts';
import { quietLogger, testConfig } from './helpers.ts';
import { freePort } from '@ticketping/http';

// A real three-master Redis Cluster on loopback: every script must touch one slot only (a
// CROSSSLOT error would fail the call), and different performances must be able to live on
// different masters.
const dir = mkdtempSync(path.join(tmpdir(), 'queue-cluster-'));
const nodes: ChildProcess[] = [];
const ports: number[] = [];
let redis: RedisClient;
let queue: QueueService;


test.before(async () => {
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    ports.push(port);
    nodes.push(spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`,
      '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }));
  }
  await eventually(() => ports.every((port) => spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG'));
  const created = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8' });
  assert.is(created.status, 0, created.stdout + created.stderr);
  await eventually(() => spawnSync('redis-cli', ['-p', String(ports[0]), 'cluster', 'info'], { encoding: 'utf8' }).stdout.includes('cluster_state:ok'));
  redis = createRedis({ clusterNodes: ports.map((p) => `127.0.0.1:${p}`) });
  queue = await createService({ config: testConfig(), logger: quietLogger(), metrics: createMetrics('queue', { defaultMetrics: false }), redis });
});

test.after(async () => {
  await redis?.quit();
  for (const node of nodes) node.kill();
  rmSync(dir, { recursive: true, force: true });
});

test('every script (and the proof-of-work\'s keys) runs on a Redis Cluster, and performances spread over its masters', async () => {
  const performances = Array.from({ length: 12 }, () => randomUUID());
  for (const id of performances) {
    await queue.store.create(id, { capacity: 1, admitPerMinute: 600, opensAtMs: 0, closesAtMs: 0, totalSeats: 10 });
    const [a, b] = [randomUUID(), randomUUID()];
    // the proof-of-work's keys: the range counter (its own slot) and the spent mark (the queue's)
    const proof = solveProofOfWork(await queue.proofOfWork.challenge(id, a, `10.1.${performances.indexOf(id)}.1`));
    await queue.proofOfWork.spend(id, a, proof);
    assert.is(await queue.proofOfWork.spend(id, a, proof).catch((error: { code?: string }) => error.code), 'PROOF_OF_WORK_REPLAYED');
    assert.is((await queue.room.enter(id, a)).status, 'ADMITTED');
    await queue.room.enter(id, b);
    await queue.handleEvent({ id: randomUUID(), type: 'order.created', key: 'o', payload: { orderId: randomUUID(), userId: a, performanceId: id, seatIds: ['s'] }, occurredAt: new Date().toISOString() });
    await queue.room.leave(id, a);
    assert.is((await queue.room.status(id, b)).status, 'ADMITTED');
    await queue.room.configure(id, { state: 'PAUSED' });
    assert.ok(await queue.room.summary(id));
  }
  await queue.admission.tickAll();
  // the keys of one performance live on one master; with 12 performances over 3 masters, more than one is used
  const ownerOf = (id: string) => ports.filter((port) => spawnSync('redis-cli', ['-p', String(port), 'exists', queueKeys(id).config], { encoding: 'utf8' }).stdout.trim() === '1');
  const owners = performances.map(ownerOf);
  assert.ok(owners.every((o) => o.length === 1));
  for (const [i, id] of performances.entries()) {
    for (const key of Object.values(queueKeys(id))) {
      const found = spawnSync('redis-cli', ['-p', String(owners[i]![0]), 'exists', key], { encoding: 'utf8' }).stdout.trim();
      assert.ok(found === '1' || found === '0', `${key} answered on its performance's master, not MOVED`);
    }
  }
  assert.ok(new Set(owners.map((o) => o[0])).size > 1, 'queues spread over the masters');
});

test('the index sits on its own shard, is never needed beside a queue, and the rebuild repairs it and the queues', async () => {
  const performances: string[] = Array.from({ length: 6 }, () => randomUUID());
  // catalog's answers, as the rebuild reads them (the rebuild against the real catalog: rebuild.int.test.ts)
  const catalog = {
    performancesOnSale: async () => performances.map((performanceId) => ({ performanceId, status: 'ON_SALE' as const })),
    saleSettings: async () => ({ capacity: 2, admitPerMinute: 600, opensAtMs: 0, closesAtMs: 0, totalSeats: 10 }),
  };
  const rebuild = () => rebuildQueues({ store: queue.store, catalog, logger: quietLogger() });
  assert.equal((await rebuild()).created.sort(), [...performances].sort());

  // the shard holding the index loses it; the shards holding two queues lose those
  await redis.del(QUEUE_INDEX_KEY);
  for (const id of performances.slice(0, 2)) await redis.del(...Object.values(queueKeys(id)));
  const repaired = await rebuild();
  assert.equal(repaired.created.sort(), performances.slice(0, 2).sort());
  assert.equal(repaired.reindexed.sort(), performances.slice(2).sort());
  assert.equal((await redis.smembers(QUEUE_INDEX_KEY)).filter((id) => performances.includes(id)).sort(), [...performances].sort());
  await queue.admission.tickAll();
  for (const id of performances) assert.is((await queue.room.enter(id, randomUUID())).status, 'ADMITTED');
});

test.run();
