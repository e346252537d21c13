/**
 * The admission rate, as a pure function beside decide.ts (no I/O; the clock is injected): AIMD on
 * booking's measured health against an SLO. The control law is written out in the README
 * ("Admission control").
 *
 *   healthy   (p95 ≤ SLO and error ratio ≤ SLO, fans waiting)
 *             → R + additiveIncrease, but never faster than maxIncreasePerMinute × elapsed minutes
 *   unhealthy (p95 or error ratio over the SLO, or booking's metrics unreadable)
 *             → R × (1 − decreasePercent / 100)
 *   nobody waiting → hold: a rate nobody uses is not raised (no wind-up)
 *   fewer than minSamples requests in the window → not judged (one slow request is noise): the
 *             rate probes upwards as when healthy, so a quiet booking cannot pin it at the floor
 *   always    → clamped to [minAdmitPerMinute, maxAdmitPerMinute]; the floor is > 0 (CEL), so the
 *             loop can never deadlock at zero
 *
 * The total is then split over the open queues in proportion to their waiting fans.
 */
import type { Clock } from './decide.ts';

export interface AdmissionControlSpec {
  slo: { p95Milliseconds: number; errorPercent: number };
  /** Admissions per minute added on a healthy poll. */
  additiveIncrease: number;
  /** Percent cut on an unhealthy poll. */
  decreasePercent: number;
  /** Slew limit on the way up, per minute of elapsed time (a burst of reconciles cannot stack increases). */
  maxIncreasePerMinute: number;
  minAdmitPerMinute: number;
  maxAdmitPerMinute: number;
  /** Fewer requests than this in a window are not judged (neither a cut nor a verdict of health). */
  minSamples: number;
}

/** Booking's health over the window since the previous poll (see booking-signal.ts). */
export type HealthReading =
  | { ok: true; requests: number; p95Ms: number | undefined; errorRatio: number }
  | { ok: false; error: string };

export interface RateMemory {
  admitPerMinute: number;
  atMs: number;
}

export type Verdict = 'start' | 'increase' | 'decrease' | 'hold';

export interface RateDecision {
  admitPerMinute: number;
  verdict: Verdict;
  /** One sentence for the status and Events. */
  message: string;
  memory: RateMemory;
}

export function decideRate(input: { spec: AdmissionControlSpec; previous: RateMemory | undefined; health: HealthReading; waiting: number }, clock: Clock): RateDecision {
  const { spec, previous, health, waiting } = input;
  const now = clock.now();
  const bounds = (r: number) => Math.min(Math.max(Math.floor(r), spec.minAdmitPerMinute), spec.maxAdmitPerMinute);
  const result = (admitPerMinute: number, verdict: Verdict, message: string): RateDecision =>
    ({ admitPerMinute, verdict, message, memory: { admitPerMinute, atMs: now } });

  // a new leader or a new QueueScaler starts at the floor: capacity is proven, never assumed
  if (!previous) return result(spec.minAdmitPerMinute, 'start', `starting at the floor, ${spec.minAdmitPerMinute}/min`);
  const rate = previous.admitPerMinute;

  if (!health.ok) {
    const cut = bounds(rate * (1 - spec.decreasePercent / 100));
    return result(cut, 'decrease', `booking's metrics are unreadable (${health.error}): ${rate} → ${cut}/min`);
  }
  if (waiting === 0) return result(bounds(rate), 'hold', `nobody waits: holding ${bounds(rate)}/min`);
  const p95 = health.p95Ms;
  // a handful of requests is noise: one slow request must not cut the rate, and must not pin it either
  const judged = health.requests >= spec.minSamples;
  const slow = judged && p95 !== undefined && p95 > spec.slo.p95Milliseconds;
  const failing = judged && health.errorRatio * 100 > spec.slo.errorPercent;
  if (slow || failing) {
    const cut = bounds(rate * (1 - spec.decreasePercent / 100));
    const why = [slow ? `p95 ${Math.round(p95 ?? 0)} ms > ${spec.slo.p95Milliseconds} ms` : '', failing ? `errors ${(health.errorRatio * 100).toFixed(1)}% > ${spec.slo.errorPercent}%` : '']
      .filter(Boolean).join(', ');
    return result(cut, 'decrease', `booking over its SLO (${why}): ${rate} → ${cut}/min`);
  }
  const elapsedMinutes = Math.max(0, now - previous.atMs) / 60_000;
  const step = Math.min(spec.additiveIncrease, spec.maxIncreasePerMinute * elapsedMinutes);
  const raised = bounds(rate + step);
  const seen = judged
    ? `booking healthy (p95 ${Math.round(p95 ?? 0)} ms, errors ${(health.errorRatio * 100).toFixed(1)}%)`
    : `${health.requests} booking requests since the last poll, too few to judge: probing`;
  return result(raised, raised > rate ? 'increase' : 'hold', `${seen}: ${rate} → ${raised}/min`);
}

/**
 * Splits a total rate over queues in proportion to their waiting fans (equally when nobody
 * waits); every queue keeps at least 1/min so none is starved to a stop.
 */
export function splitRate(total: number, queues: readonly { performanceId: string; waiting: number }[]): Map<string, number> {
  const shares = new Map<string, number>();
  if (queues.length === 0) return shares;
  const waiting = queues.reduce((sum, q) => sum + Math.max(0, q.waiting), 0);
  for (const q of queues) {
    const weight = waiting > 0 ? Math.max(0, q.waiting) / waiting : 1 / queues.length;
    shares.set(q.performanceId, Math.max(1, Math.floor(total * weight)));
  }
  return shares;
}
