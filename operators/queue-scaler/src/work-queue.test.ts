import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually } from '@ticketping/testing';
import { createWorkQueue, jitter } from './work-queue.ts';

const options = { concurrency: 2, baseBackoffMs: 10, maxBackoffMs: 40 };

test('a key queued many times runs once', async () => {
  const runs: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const q = createWorkQueue(async (key) => { runs.push(key); await gate; return {}; }, { ...options, concurrency: 1 });
  q.start();
  q.add('a'); // runs at once, holds the only worker
  q.add('b'); q.add('b'); q.add('b');
  release();
  await eventually(() => runs.length === 2, 1000, 5);
  assert.equal(runs, ['a', 'b']);
  await q.stop();
});

test('a key added while it runs gets exactly one more run, never in parallel', async () => {
  let running = 0;
  let maxParallel = 0;
  let runs = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const q = createWorkQueue(async () => {
    running++; runs++;
    maxParallel = Math.max(maxParallel, running);
    if (runs === 1) await gate;
    running--;
    return {};
  }, options);
  q.start();
  q.add('k');
  await eventually(() => runs === 1, 1000, 5);
  q.add('k'); q.add('k');
  release();
  await eventually(() => runs === 2, 1000, 5);
  await new Promise((r) => setTimeout(r, 30)); // a third run would have started by now
  assert.is(runs, 2);
  assert.is(maxParallel, 1);
  await q.stop();
});

test('requeueAfter polls again; errors back off exponentially up to the cap, success resets', async () => {
  const times: number[] = [];
  const delays: number[] = [];
  let calls = 0;
  const q = createWorkQueue(async () => {
    times.push(Date.now());
    calls++;
    if (calls <= 4) throw new Error('boom');
    return { requeueAfterMs: 5 };
  }, { ...options, onError: (_key, _error, retryInMs) => delays.push(retryInMs) });
  q.start();
  q.add('k');
  await eventually(() => calls >= 7, 2000, 5);
  assert.equal(delays, [10, 20, 40, 40]);
  assert.is(q.failures('k'), 0);
  await q.stop();
});

test('forget drops a pending requeue', async () => {
  let calls = 0;
  const q = createWorkQueue(async () => { calls++; return {}; }, options);
  q.start();
  q.addAfter('k', 20);
  q.forget('k');
  await new Promise((r) => setTimeout(r, 40));
  assert.is(calls, 0);
  await q.stop();
});

test('jitter stays within the fraction', () => {
  assert.is(jitter(1000, 0.1, () => 0), 900);
  assert.is(jitter(1000, 0.1, () => 1), 1100);
  assert.is(jitter(1000, 0.1, () => 0.5), 1000);
});

test.run();
