import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_BACKOFF_MS, nextPollDelay, startPolling, type Timers } from './poll.ts';

test('follows the server pollAfterMs within sane bounds', () => {
  assert.is(nextPollDelay({ pollAfterMs: 3000 }), 3000);
  assert.is(nextPollDelay({ pollAfterMs: null }), 2000);
  assert.is(nextPollDelay({ pollAfterMs: 10 }), 500);
  assert.is(nextPollDelay({ pollAfterMs: 10 * 60_000 }), 300_000);
});

test('Retry-After wins over everything', () => {
  assert.is(nextPollDelay({ pollAfterMs: 1000, consecutiveFailures: 3, retryAfterSeconds: 7 }), 7000);
});

test('failures back off exponentially with jitter, capped', () => {
  const low = () => 0;
  const high = () => 0.999999;
  assert.is(nextPollDelay({ pollAfterMs: 1000, consecutiveFailures: 1, random: low }), 1000);
  assert.is(nextPollDelay({ pollAfterMs: 1000, consecutiveFailures: 1, random: high }), 2000);
  assert.is(nextPollDelay({ pollAfterMs: 1000, consecutiveFailures: 3, random: low }), 4000);
  assert.ok(nextPollDelay({ pollAfterMs: 1000, consecutiveFailures: 20, random: high }) <= MAX_BACKOFF_MS);
});

/** Timers the test advances by hand. */
function manualTimers() {
  let pending: { fn: () => void; ms: number } | undefined;
  const timers: Timers = {
    setTimeout: (fn, ms) => (pending = { fn, ms }),
    clearTimeout: () => (pending = undefined),
  };
  return { timers, pendingDelay: () => pending?.ms, fire: () => { const p = pending; pending = undefined; p?.fn(); } };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('runs at once, then after the delay the task returns, until it returns undefined', async () => {
  const clock = manualTimers();
  const delays = [1500, 700, undefined];
  let calls = 0;
  startPolling(async () => delays[calls++], clock.timers);
  await settle();
  assert.is(calls, 1);
  assert.is(clock.pendingDelay(), 1500);
  clock.fire();
  await settle();
  assert.is(calls, 2);
  assert.is(clock.pendingDelay(), 700);
  clock.fire();
  await settle();
  assert.is(calls, 3);
  assert.is(clock.pendingDelay(), undefined);
});

test('stop cancels the next run; pollNow never overlaps a run in flight', async () => {
  const clock = manualTimers();
  let calls = 0;
  let release: () => void = () => {};
  const poller = startPolling(() => { calls++; return new Promise<number>((resolve) => (release = () => resolve(1000))); }, clock.timers);
  poller.pollNow();
  assert.is(calls, 1);
  release();
  await settle();
  poller.stop();
  assert.is(clock.pendingDelay(), undefined);
  clock.fire();
  await settle();
  assert.is(calls, 1);
});

test.run();
