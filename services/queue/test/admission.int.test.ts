import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMetrics } from '@ticketping/metrics';
import { createRedis, queueKeys, type RedisClient } from '@ticketping/redis';
import { testEnv } from '@ticketping/testing';
import { createService, type QueueService } from '../src/service.ts';
import type { TickResult } from '../src/redis/queue-store.ts';
import { dropQueues, quietLogger, sleep, testConfig } from './helpers.ts';

// Three replicas: each its own Redis connection, so their scripts really interleave in Redis.
const clients: RedisClient[] = [];
const replicas: QueueService[] = [];
const queues: string[] = [];

test.before(async () => {
  for (let i = 0; i < 3; i++) {
    const redis = createRedis({ url: testEnv.redisUrl });
    clients.push(redis);
    replicas.push(await createService({ config: testConfig(), logger: quietLogger(), metrics: createMetrics('queue', { defaultMetrics: false }), redis }));
  }
});

test.after(async () => {
  await dropQueues(clients[0]!, queues);
  await Promise.all(clients.map((c) => c.quit()));
});

async function newQueue(capacity: number, admitPerMinute: number, state: 'OPEN' | 'PAUSED' = 'OPEN'): Promise<string> {
  const id = randomUUID();
  queues.push(id);
  await replicas[0]!.store.create(id, { capacity, admitPerMinute, opensAtMs: 0, closesAtMs: 0, totalSeats: 0 });
  if (state !== 'OPEN') await replicas[0]!.store.configure(id, { state });
  return id;
}

/** Every replica ticks the queue back to back for `ms`; returns every tick's result. */
async function runLoops(performanceId: string, ms: number, during?: () => Promise<void>): Promise<TickResult[]> {
  const results: TickResult[] = [];
  const until = Date.now() + ms;
  await Promise.all([
    ...replicas.map(async (replica) => {
      while (Date.now() < until) {
        results.push(await replica.store.admit(performanceId));
        await sleep(5);
      }
    }),
    (async () => { while (during && Date.now() < until) { await during(); await sleep(50); } })(),
  ]);
  return results.sort((a, b) => a.nowMs - b.nowMs);
}

test('1,000 concurrent entries get 1,000 distinct consecutive positions; entering again returns the same entry', async () => {
  const id = await newQueue(10, 60, 'PAUSED');
  const users = Array.from({ length: 1000 }, () => randomUUID());
  const entries = await Promise.all(users.map((user, i) => replicas[i % 3]!.room.enter(id, user)));
  const positions = entries.map((e) => e.position).sort((a, b) => a - b);
  assert.equal(positions, Array.from({ length: 1000 }, (_, i) => i + 1));
  assert.ok(entries.every((e) => e.status === 'WAITING' && e.ahead === e.position - 1));

  const again = await Promise.all(users.slice(0, 50).map((user, i) => replicas[i % 3]!.room.enter(id, user)));
  assert.equal(again.map((e) => e.position), entries.slice(0, 50).map((e) => e.position));
  assert.is(await clients[0]!.zcard(queueKeys(id).waiting), 1000);
});

test('three concurrent admission loops never exceed capacity, admit nobody twice, and admit in arrival order', async () => {
  const capacity = 5;
  const admitPerMinute = 600; // at most 10 in any second
  const id = await newQueue(capacity, admitPerMinute, 'PAUSED');
  const users = Array.from({ length: 80 }, () => randomUUID());
  for (const user of users) await replicas[0]!.room.enter(id, user);
  await replicas[0]!.store.configure(id, { state: 'OPEN' });

  // booking finishes quickly: every admitted fan leaves on the next round, freeing the slot
  const active = queueKeys(id).active;
  const results = await runLoops(id, 3000, async () => {
    for (const user of await clients[0]!.zrange(active, 0, -1)) await replicas[0]!.store.leave(id, user);
  });

  const admitted = results.flatMap((r) => r.admitted);
  assert.ok(admitted.length >= 15, `the line moved (${admitted.length} admitted)`);
  assert.is(new Set(admitted).size, admitted.length, 'nobody admitted twice');
  assert.equal([...admitted].sort(), users.slice(0, admitted.length).sort(), 'the first arrivals, nobody overtaken');
  for (const r of results) assert.ok(r.active <= capacity, `active ${r.active} ≤ capacity`);
  for (const r of results) {
    const lastSecond = results.filter((o) => o.nowMs > r.nowMs - 1000 && o.nowMs <= r.nowMs).reduce((n, o) => n + o.admitted.length, 0);
    assert.ok(lastSecond <= 10, `${lastSecond} admissions within one second`);
  }
  assert.ok(admitted.length <= admitPerMinute);
});

test('the per-minute rate holds across loops when capacity is plentiful', async () => {
  const id = await newQueue(100, 3);
  for (let i = 0; i < 10; i++) await replicas[0]!.store.entry(id, randomUUID(), 'enter');
  const results = await runLoops(id, 3500);
  const admitted = results.flatMap((r) => r.admitted);
  assert.is(admitted.length, 3, 'pacing alone would have allowed 4 in 3.5 s; the sliding minute allows 3');
  assert.is(new Set(admitted).size, 3);
});

test('capacity and rate changed at runtime take effect at the next tick', async () => {
  const id = await newQueue(1, 6000);
  for (let i = 0; i < 10; i++) await replicas[0]!.store.entry(id, randomUUID(), 'enter');
  assert.is((await replicas[1]!.store.admit(id)).admitted.length, 1);
  await replicas[2]!.store.configure(id, { capacity: 4 });
  const next = await replicas[1]!.store.admit(id);
  assert.is(next.admitted.length, 3);
  assert.is(next.active, 4);
  const stats = await clients[0]!.hgetall(queueKeys(id).stats);
  assert.equal([stats.waiting, stats.active, stats.admittedTotal, stats.capacity], ['6', '4', '4', '4']);
});

test('pollAfterMs grows with the distance from the front, so the line\'s total poll rate grows only logarithmically', async () => {
  const id = await newQueue(10, 60, 'PAUSED');
  const entries = [];
  for (let first = 0; first < 20_000; first += 1000) {
    entries.push(...await Promise.all(Array.from({ length: 1000 }, (_, i) => replicas[i % 3]!.store.entry(id, `fan-${first + i}`, 'enter'))));
  }
  const intervals = entries.map((r) => (r.kind === 'entry' ? r.entry : assert.unreachable()) as { position: number; pollAfterMs: number })
    .sort((a, b) => a.position - b.position).map((e) => e.pollAfterMs);
  const pollsPerSecond = (n: number) => intervals.slice(0, n).reduce((sum, ms) => sum + 1000 / ms, 0);
  const budget = 500; // QUEUE_POLL_BUDGET_PER_SECOND's default; the front polls every 2 s
  assert.is(intervals[0], 2000);
  assert.is(intervals[19_999], 20_000 * 1000 / budget - 2, '(20,000 − 1) / 500 s');
  // 20,000 fans poll ~2,000 times a second, and doubling the line adds only ~budget × ln 2
  assert.ok(pollsPerSecond(20_000) < budget * (1 + Math.log(20)) * 1.01, String(pollsPerSecond(20_000)));
  assert.ok(pollsPerSecond(20_000) - pollsPerSecond(10_000) < budget * Math.LN2 * 1.01);
});

test('etaSeconds comes from the measured admission rate, not the configured one', async () => {
  const id = await newQueue(2, 6000);
  for (let i = 0; i < 12; i++) await replicas[0]!.store.entry(id, `fan-${i}`, 'enter');
  await replicas[0]!.store.admit(id); // capacity lets 2 in: far below the configured 6,000 a minute
  const measured = Number(await clients[0]!.hget(queueKeys(id).stats, 'admitRatePerMinute'));
  assert.ok(measured > 0 && measured <= 120, String(measured));
  const last = await replicas[0]!.store.entry(id, 'fan-11', 'poll');
  assert.is(last.kind === 'entry' && last.entry.etaSeconds, Math.ceil((10 * 60) / measured));
});

test.run();
