/**
 * The feedback loop converging when booking slows down under load (issue 17), against the real
 * booking service as a process with a one-connection pool, the real queue and the operator
 * (booking-loop.ts, shared with bench/operator/convergence.ts). The throttle: every admitted fan
 * makes many more booking requests, so the one connection becomes the bottleneck, requests queue
 * inside booking and its own p95 rises with the rate the operator lets in.
 *
 * Only what holds on any machine is asserted: the direction of the rate and its bounds, never a
 * figure or a speed. Deadlines are generous; the figures are the bench's (bench/RESULTS.md).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually } from '@ticketping/testing';
import { startBookingLoop, type BookingLoop, type Sample } from './booking-loop.ts';

const FLOOR = 60;
const STEP = 120;
const CEILING = 20_000;
const SLO_MS = 300;
const LIGHT = 2;
const HEAVY = 60;
let loop: BookingLoop;
let throttledAt = 0;
let liftedAt = 0;
let peak = 0;

test.before(async () => {
  loop = await startBookingLoop({
    fans: 6000,
    pollingIntervalSeconds: 2,
    requestsPerFan: LIGHT,
    admissionControl: {
      slo: { p95Milliseconds: SLO_MS, errorPercent: 1 },
      additiveIncrease: STEP, decreasePercent: 30, maxIncreasePerMinute: 6000, minAdmitPerMinute: FLOOR, maxAdmitPerMinute: CEILING, minSamples: 10,
    },
  });
});

test.after(async () => {
  if (loop) {
    const trace = loop.samples.filter((_, i) => i % 4 === 0).map((s) => `${(s.t / 1000).toFixed(0)}s:${s.rate}(p95 ${s.p95})`).join(' ');
    process.stdout.write(`[trace] rate/min every ~2 s, throttled at ${(throttledAt / 1000).toFixed(0)} s, lifted at ${(liftedAt / 1000).toFixed(0)} s: ${trace}\n`);
  }
  await loop?.stop();
});

/** The first sample from `from` on that satisfies `check`, waiting for it up to `timeoutMs`. */
async function first(from: number, check: (s: Sample) => boolean, timeoutMs: number, what: string): Promise<Sample> {
  try {
    return await eventually(async () => loop.samples.find((s) => s.t >= from && check(s)), timeoutMs, 250);
  } catch (error) {
    const seen = loop.samples.filter((s) => s.t >= from).filter((_, i) => i % 4 === 0).map((s) => `${(s.t / 1000).toFixed(0)}s:${s.rate}/p95 ${s.p95}`).join(' ');
    throw new Error(`${what}: not seen (${String(error)}); rates since: ${seen}\n${loop.logs().slice(-3000)}`, { cause: error });
  }
}

const overSlo = (s: Sample) => /over its SLO/.test(s.message) && s.p95 > SLO_MS;

test('booking light: the rate climbs from the floor', async () => {
  const up = await first(0, (s) => s.rate >= FLOOR + 3 * STEP, 180_000, 'the rate climbing three steps above the floor');
  assert.ok(up.rate <= CEILING);
});


test('booking throttled under load: once its p95 crosses the SLO the rate is cut, and it keeps above the floor', async () => {
  throttledAt = loop.elapsed();
  loop.requestsPerFan = HEAVY;
  const crossed = await first(throttledAt, overSlo, 300_000, 'booking\'s p95 over the SLO');
  const before = loop.samples.filter((s) => s.t < crossed.t && s.t >= throttledAt - 10_000);
  peak = Math.max(...before.map((s) => s.rate));
  assert.ok(crossed.rate < peak, `cut when the SLO was crossed: ${crossed.rate} < ${peak}`);
  // the loop keeps cutting while booking is over its SLO: well under the peak, never under the floor
  await first(crossed.t, (s) => s.rate <= peak * 0.7, 120_000, 'the rate cut to 70 % of its peak or less');
  const since = loop.samples.filter((s) => s.t >= throttledAt);
  assert.ok(since.every((s) => s.rate >= FLOOR), `never under the floor: min ${Math.min(...since.map((s) => s.rate))}`);
});

test('the throttle lifted: once booking has drained, the rate rises again', async () => {
  liftedAt = loop.elapsed();
  loop.requestsPerFan = LIGHT;
  // the lowest rate after the lift (cuts go on while booking drains what queued in it), then a climb of two steps above it
  await first(liftedAt, (s) => {
    const low = Math.min(...loop.samples.filter((x) => x.t >= liftedAt && x.t <= s.t).map((x) => x.rate));
    return s.rate >= low + 2 * STEP && /booking healthy|probing/.test(s.message);
  }, 300_000, 'the rate rising two steps above its low after the lift');
  const since = loop.samples.filter((s) => s.t >= throttledAt);
  assert.ok(since.every((s) => s.rate >= FLOOR && s.rate <= CEILING));
});

test.run();
