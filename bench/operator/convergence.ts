/**
 * The admission loop against the real booking service (operators/queue-scaler/test/booking-loop.ts:
 * booking's own process with a one-connection pool, the queue's own process, the operator, the
 * test environment's control plane). Mid-sale `requestsPerFan` doubles: booking's capacity in
 * admissions per minute halves. The rate the operator sets is sampled every 500 ms.
 *
 *   npm run testenv run --only postgres,kube -- node --conditions=source bench/operator/convergence.ts
 *   (or with .testenv/env.sh of a running test environment sourced)
 *
 * Prints the rate over time and the figures: convergence time, overshoot and oscillation before and
 * after the halving, and the reaction to it in polling intervals. The convergence test
 * (operators/queue-scaler/test/convergence.int.test.ts) runs the same loop and asserts its direction.
 */
import os from 'node:os';
import { startBookingLoop } from '../../operators/queue-scaler/test/booking-loop.ts';

const POLL_S = 2;
const PHASE_MS = Number(process.env.PHASE_SECONDS ?? 90) * 1000;

const loop = await startBookingLoop({
  fans: 20_000,
  pollingIntervalSeconds: POLL_S,
  requestsPerFan: 6,
  inheritOutput: true,
  admissionControl: {
    slo: { p95Milliseconds: 300, errorPercent: 1 },
    additiveIncrease: 120, decreasePercent: 30, maxIncreasePerMinute: 6000, minAdmitPerMinute: 60, maxAdmitPerMinute: 20_000, minSamples: 10,
  },
});
try {
  await new Promise((resolve) => setTimeout(resolve, PHASE_MS));
  const halvedAt = loop.elapsed();
  loop.requestsPerFan *= 2;
  await new Promise((resolve) => setTimeout(resolve, PHASE_MS));
  const samples = [...loop.samples];

  const window = (from: number, to: number) => samples.filter((s) => s.t >= from && s.t < to).map((s) => s.rate);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  // settled: the last third of each phase
  const band1 = window((PHASE_MS * 2) / 3, PHASE_MS);
  const band2 = window(halvedAt + (PHASE_MS * 2) / 3, halvedAt + PHASE_MS);
  const [m1, m2] = [mean(band1), mean(band2)];
  const firstIn1 = samples.find((s) => s.rate >= m1 * 0.9);
  const firstIn2 = samples.find((s) => s.t > halvedAt && s.rate <= m2 * 1.1);
  const firstCut = samples.find((s) => s.t > halvedAt && s.rate < (samples.filter((x) => x.t <= halvedAt).at(-1)?.rate ?? 0));
  const overshoot1 = Math.max(...window(0, PHASE_MS)) / m1 - 1;
  const undershoot2 = 1 - Math.min(...window(halvedAt, halvedAt + PHASE_MS)) / m2;
  const swing = (xs: number[], m: number) => (Math.max(...xs) - Math.min(...xs)) / m;
  process.stdout.write(`load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; requests still in flight: ${loop.inFlight()}\n`);
  process.stdout.write(`rate (admissions/min) every ~5 s: ${samples.filter((_, i) => i % 10 === 0).map((s) => `${(s.t / 1000).toFixed(0)}s:${s.rate}(p95 ${s.p95})`).join(' ')}\n`);
  process.stdout.write(`| phase | settled mean (last third) | reached within 10 % after | overshoot / undershoot | swing in the last third (max−min)/mean |\n|---|---|---|---|---|\n`);
  process.stdout.write(`| from the floor, ${loop.requestsPerFan / 2} requests per fan | ${m1.toFixed(0)}/min | ${firstIn1 ? (firstIn1.t / 1000).toFixed(1) : '–'} s | +${(overshoot1 * 100).toFixed(0)} % | ${(swing(band1, m1) * 100).toFixed(0)} % |\n`);
  process.stdout.write(`| capacity halved (${loop.requestsPerFan} per fan) | ${m2.toFixed(0)}/min (${((m2 / m1) * 100).toFixed(0)} % of before) | ${firstIn2 ? ((firstIn2.t - halvedAt) / 1000).toFixed(1) : '–'} s | −${(undershoot2 * 100).toFixed(0)} % | ${(swing(band2, m2) * 100).toFixed(0)} % |\n`);
  process.stdout.write(`first cut after the halving: ${firstCut ? ((firstCut.t - halvedAt) / 1000).toFixed(1) : '–'} s = ${firstCut ? ((firstCut.t - halvedAt) / 1000 / POLL_S).toFixed(1) : '–'} polling intervals\n`);
} finally {
  await loop.stop();
}
