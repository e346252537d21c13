/**
 * One admission ticker per queue: several queue replicas (each its own Redis connection) run their
 * admission loops over the same queues in one Redis; each queue is ticked by one replica, the
 * queues are spread over the replicas, and when a replica stops its queues are taken over.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMetrics } from '@ticketping/metrics';
import { createRedis, type RedisClient } from '@ticketping/redis';
import { eventually, testEnv } from '@ticketping/testing';
import { createAdmissionLoop, type AdmissionLoop } from '../src/admission/admission-loop.ts';
import { createTickerRing, rendezvousOwner } from '../src/admission/ticker-ring.ts';
import { createQueueMetrics } from '../src/metrics.ts';
import { createQueueStore, type QueueStore } from '../src/redis/queue-store.ts';
import { tuningFrom } from '../src/service.ts';
import { dropQueues, quietLogger, sleep, testConfig } from './helpers.ts';

const TICK_MS = 50;
// a ring of its own and only this suite's queues: other suites' replicas in the shared Redis stay out of it
const ringKey = `test:tickers:${randomUUID()}`;
const queues = Array.from({ length: 12 }, () => randomUUID());
const clients: RedisClient[] = [];
const loops: AdmissionLoop[] = [];
/** performanceId → replica index → ticks */
const ticks = new Map<string, number[]>();

test.before(async () => {
  for (let i = 0; i < 3; i++) {
    const redis = createRedis({ url: testEnv.redisUrl });
    clients.push(redis);
    const real = createQueueStore(redis, tuningFrom(testConfig()));
    if (i === 0) for (const id of queues) await real.create(id, { capacity: 10, admitPerMinute: 60, opensAtMs: 0, closesAtMs: 0, totalSeats: 0 });
    const counted: QueueStore = {
      ...real,
      listQueues: async () => queues,
      admit: async (id) => {
        const perReplica = ticks.get(id) ?? [0, 0, 0];
        perReplica[i]! += 1;
        ticks.set(id, perReplica);
        return real.admit(id);
      },
    };
    const ring = createTickerRing(redis, { ttlMs: 3 * TICK_MS * 4, key: ringKey, id: `replica-${i}` });
    loops.push(createAdmissionLoop({ store: counted, metrics: createQueueMetrics(createMetrics('queue', { defaultMetrics: false }).registry), logger: quietLogger(), tickMs: TICK_MS, ring }));
  }
});

test.after(async () => {
  await Promise.all(loops.map((l) => l.stop()));
  await dropQueues(clients[0]!, queues);
  await clients[0]!.del(ringKey);
  await Promise.all(clients.map((c) => c.quit()));
});

const tickersOf = (id: string) => (ticks.get(id) ?? [0, 0, 0]).flatMap((n, replica) => (n > 0 ? [replica] : []));

test('three replicas: every queue is ticked, each by one replica, and the queues are spread over them', async () => {
  for (const loop of loops) loop.start();
  // until all three heartbeats are in the ring, a replica may tick queues that are not its own
  await eventually(async () => (await clients[0]!.zcard(ringKey)) === 3, 5000, 20);
  await sleep(3 * TICK_MS);
  ticks.clear();
  await eventually(async () => queues.every((id) => (ticks.get(id) ?? []).some((n) => n >= 5)), 10_000, 50);
  for (const id of queues) assert.is(tickersOf(id).length, 1, `${id} ticked by replicas ${tickersOf(id).join(', ')}`);
  const owners = new Set(queues.map((id) => tickersOf(id)[0]));
  assert.ok(owners.size >= 2, 'the queues are spread over the replicas');
  // who ticks is who the hash names
  for (const id of queues) assert.is(`replica-${tickersOf(id)[0]}`, rendezvousOwner(['replica-0', 'replica-1', 'replica-2'], id));
});

test('a replica that stops leaves the ring: its queues are ticked by the others from their next tick', async () => {
  // the first queue's ticker, so the stopped replica always has queues to hand over
  const stopped = tickersOf(queues[0]!)[0]!;
  const itsQueues = queues.filter((id) => tickersOf(id)[0] === stopped);
  await loops[stopped]!.stop();
  ticks.clear();
  // every queue, not only the handed-over ones: a replica slower than the others must have ticked
  // its own queues too before "ticked by one replica" can be asked of them
  await eventually(async () => queues.every((id) => (ticks.get(id) ?? []).some((n) => n >= 3)), 10_000, 50);
  assert.ok(itsQueues.length > 0);
  for (const id of itsQueues) assert.ok(!tickersOf(id).includes(stopped));
  for (const id of queues) assert.is(tickersOf(id).length, 1, `${id} ticked by replicas ${tickersOf(id).join(', ')}`);
});

test.run();
