import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { decideRate, splitRate, type AdmissionControlSpec, type HealthReading, type RateMemory } from './admission-control.ts';
import { healthOf, parseSnapshot, quantileMs, windowBetween } from './booking-signal.ts';

const T0 = 1_700_000_000_000;
const POLL_MS = 10_000;
const spec: AdmissionControlSpec = {
  slo: { p95Milliseconds: 500, errorPercent: 1 },
  additiveIncrease: 60, decreasePercent: 30, maxIncreasePerMinute: 600,
  minAdmitPerMinute: 30, maxAdmitPerMinute: 6000, minSamples: 20,
};
const healthy = (requests = 100, p95Ms = 100): HealthReading => ({ ok: true, requests, p95Ms, errorRatio: 0 });
const step = (previous: RateMemory | undefined, health: HealthReading, at: number, waiting = 1000, s = spec) =>
  decideRate({ spec: s, previous, health, waiting }, { now: () => at });

test('a new loop starts at the floor, never at the ceiling', () => {
  const d = step(undefined, healthy(), T0);
  assert.equal([d.admitPerMinute, d.verdict], [30, 'start']);
});

test('healthy and fans waiting: additive increase; over the SLO: multiplicative decrease', () => {
  const up = step({ admitPerMinute: 300, atMs: T0 }, healthy(), T0 + POLL_MS);
  assert.equal([up.admitPerMinute, up.verdict], [360, 'increase']);
  const slow = step({ admitPerMinute: 300, atMs: T0 }, healthy(100, 900), T0 + POLL_MS);
  assert.equal([slow.admitPerMinute, slow.verdict], [210, 'decrease']);
  assert.match(slow.message, /p95 900 ms > 500 ms/);
  const failing = step({ admitPerMinute: 300, atMs: T0 }, { ok: true, requests: 100, p95Ms: 50, errorRatio: 0.05 }, T0 + POLL_MS);
  assert.equal([failing.admitPerMinute, failing.verdict], [210, 'decrease']);
  assert.match(failing.message, /errors 5\.0% > 1%/);
});

test('booking unreadable counts as unhealthy: the rate comes down, never below the floor', () => {
  let memory: RateMemory = { admitPerMinute: 1000, atMs: T0 };
  for (let i = 1; i <= 30; i++) memory = step(memory, { ok: false, error: 'ECONNREFUSED' }, T0 + i * POLL_MS).memory;
  assert.is(memory.admitPerMinute, 30);
});

test('no wind-up: nobody waiting holds the rate', () => {
  const idle = step({ admitPerMinute: 300, atMs: T0 }, healthy(), T0 + POLL_MS, 0);
  assert.equal([idle.admitPerMinute, idle.verdict], [300, 'hold']);
});

test('too few requests to judge: one slow request does not cut the rate, and a quiet booking does not pin it at the floor', () => {
  const noisy = step({ admitPerMinute: 300, atMs: T0 }, healthy(3, 4000), T0 + POLL_MS);
  assert.equal([noisy.admitPerMinute, noisy.verdict], [360, 'increase']);
  assert.match(noisy.message, /too few to judge/);
});

test('slew limit: reconciles in quick succession cannot stack increases', () => {
  let memory: RateMemory = { admitPerMinute: 300, atMs: T0 };
  for (let i = 1; i <= 100; i++) memory = step(memory, healthy(), T0 + i * 100).memory; // 100 reconciles in 10 s
  assert.ok(memory.admitPerMinute <= 300 + 600 * (10 / 60) + 1, `rose to ${memory.admitPerMinute} in 10 s`);
});

test('the floor and the ceiling hold whatever the readings (property)', () => {
  fc.assert(fc.property(
    fc.array(fc.record({ ok: fc.boolean(), requests: fc.nat(1000), p95: fc.nat(3000), errors: fc.float({ min: 0, max: 1, noNaN: true }), waiting: fc.nat(5000), dt: fc.nat(60_000) }), { maxLength: 60 }),
    (polls) => {
      let memory: RateMemory | undefined;
      let at = T0;
      for (const p of polls) {
        at += p.dt;
        const health: HealthReading = p.ok ? { ok: true, requests: p.requests, p95Ms: p.p95, errorRatio: p.errors } : { ok: false, error: 'x' };
        const d = step(memory, health, at, p.waiting);
        if (d.admitPerMinute < spec.minAdmitPerMinute || d.admitPerMinute > spec.maxAdmitPerMinute) return false;
        memory = d.memory;
      }
      return true;
    },
  ));
});

/**
 * A booking tier that serves `capacity` admissions a minute (each admission makes 3 requests).
 * Above capacity a backlog builds and every request waits behind it: p95 = 120 ms + the backlog's
 * drain time. Below capacity the backlog drains. Returns the rate after each poll.
 */
function simulate(capacityAt: (poll: number) => number, polls: number): number[] {
  let memory: RateMemory | undefined;
  let backlog = 0;
  const rates: number[] = [];
  for (let i = 0; i < polls; i++) {
    const capacity = capacityAt(i);
    const rate = memory?.admitPerMinute ?? 0;
    backlog = Math.max(0, backlog + (rate - capacity) * (POLL_MS / 60_000));
    const health: HealthReading = { ok: true, requests: Math.round(rate * 3 * (POLL_MS / 60_000)), p95Ms: 120 + (backlog / capacity) * 60_000, errorRatio: 0 };
    memory = step(memory, health, T0 + i * POLL_MS).memory;
    rates.push(memory.admitPerMinute);
  }
  return rates;
}

test('convergence: from the floor the rate climbs to booking capacity and stays in the AIMD band around it', () => {
  const capacity = 1200;
  const rates = simulate(() => capacity, 120);
  const reached = rates.findIndex((r) => r >= capacity * 0.7);
  // additive: (840 − 30) / 60 per poll
  assert.ok(reached > 0 && reached <= Math.ceil((capacity * 0.7 - 30) / 60) + 1, `reached 70% at poll ${reached}`);
  const settled = rates.slice(40);
  // overshoot: at most two additive steps above capacity (the backlog of one step shows one poll late)
  assert.ok(Math.max(...settled) <= capacity + 2 * spec.additiveIncrease, `max ${Math.max(...settled)}`);
  // undershoot: no deeper than one cut below capacity
  assert.ok(Math.min(...settled) >= Math.floor(capacity * (1 - spec.decreasePercent / 100)) - spec.additiveIncrease, `min ${Math.min(...settled)}`);
});

test('capacity halves mid-sale: the rate is under the new capacity within three polls, and stays in the new band', () => {
  const rates = simulate((i) => (i < 60 ? 1200 : 600), 150);
  assert.ok(rates[59]! > 600, `was ${rates[59]} before the halving`);
  const firstUnder = rates.slice(60).findIndex((r) => r <= 600);
  assert.ok(firstUnder >= 0 && firstUnder < 3, `under the new capacity after ${firstUnder + 1} polls`);
  const settled = rates.slice(100);
  assert.ok(Math.max(...settled) <= 600 + 2 * spec.additiveIncrease, `max ${Math.max(...settled)}`);
  assert.ok(Math.min(...settled) >= Math.floor(600 * (1 - spec.decreasePercent / 100)) - spec.additiveIncrease, `min ${Math.min(...settled)}`);
});

test('several open queues split the total in proportion to their waiting fans', () => {
  const shares = splitRate(1000, [{ performanceId: 'a', waiting: 3000 }, { performanceId: 'b', waiting: 1000 }, { performanceId: 'c', waiting: 0 }]);
  assert.equal([...shares], [['a', 750], ['b', 250], ['c', 1]]);
  assert.equal([...splitRate(900, [{ performanceId: 'a', waiting: 0 }, { performanceId: 'b', waiting: 0 }])], [['a', 450], ['b', 450]]);
  assert.is(splitRate(100, []).size, 0);
});

const exposition = (fast: number, slow: number, errors: number) => [
  '# TYPE http_server_request_duration_seconds histogram',
  `http_server_request_duration_seconds_bucket{le="0.1",method="POST",route="/api/v1/orders",status="201",service="booking"} ${fast}`,
  `http_server_request_duration_seconds_bucket{le="1",method="POST",route="/api/v1/orders",status="201",service="booking"} ${fast + slow}`,
  `http_server_request_duration_seconds_bucket{le="+Inf",method="POST",route="/api/v1/orders",status="201",service="booking"} ${fast + slow}`,
  `http_server_request_duration_seconds_count{method="POST",route="/api/v1/orders",status="201",service="booking"} ${fast + slow}`,
  `http_server_request_duration_seconds_bucket{le="0.1",method="POST",route="/api/v1/orders",status="503",service="booking"} ${errors}`,
  `http_server_request_duration_seconds_bucket{le="1",method="POST",route="/api/v1/orders",status="503",service="booking"} ${errors}`,
  `http_server_request_duration_seconds_bucket{le="+Inf",method="POST",route="/api/v1/orders",status="503",service="booking"} ${errors}`,
  `http_server_request_duration_seconds_count{method="POST",route="/api/v1/orders",status="503",service="booking"} ${errors}`,
  'http_server_request_duration_seconds_bucket{le="0.1",method="GET",route="/metrics",status="200",service="booking"} 5000',
  'http_server_request_duration_seconds_count{method="GET",route="/metrics",status="200",service="booking"} 5000',
].join('\n');

test("booking's histogram: a window between two scrapes, its p95 interpolated in the bucket, 5xx as errors, probes ignored", () => {
  const before = parseSnapshot(exposition(100, 0, 0));
  const after = parseSnapshot(exposition(190, 10, 0));
  const window = windowBetween(before, after);
  assert.is(window.count, 100);
  // rank 95 of 100: 90 in ≤ 0.1 s, the next 10 spread over 0.1..1 s → 0.1 + 0.9 × 5/10 = 0.55 s
  assert.is(Math.round(quantileMs(window, 0.95)!), 550);
  const failing = healthOf(windowBetween(after, parseSnapshot(exposition(290, 10, 10))));
  assert.equal([failing.ok && failing.requests, failing.ok && failing.errorRatio], [110, 10 / 110]);
  // a restarted pod: counters went down, the window counts from zero
  assert.is(windowBetween(after, parseSnapshot(exposition(5, 0, 0))).count, 5);
  assert.is(quantileMs(windowBetween(after, after), 0.95), undefined);
});

test.run();
