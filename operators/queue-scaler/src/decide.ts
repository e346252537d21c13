/**
 * The whole scaling decision, 0..N, in one pure function (no I/O; the clock is injected).
 *
 * Order, as in KEDA + the HPA it drives, but owned in one place so cooldown and stabilization
 * never fight (keda#7770):
 *   1. paused            → keep the current count.
 *   2. metric read failed → keep the current count; after `fallback.failureThreshold` failures in a
 *                          row, apply the fallback count. Never 0 because of a failure.
 *   3. active (metric > activationThreshold) → ceil(metric / targetPerReplica), clamped to
 *                          [min, max], then the HPA's stabilization windows.
 *      inactive, within `cooldownPeriodSeconds` of the last active read → hold the current count.
 *      inactive for longer → `minReplicaCount` (0 allowed only here).
 *   4. the HPA's rate policies (scaleUp / scaleDown), then the [min, max] bounds.
 *   5. a pre-warm floor before a scheduled open (pre-warm.ts), which wins over 3 and 4, never over max.
 */
import type { PreWarmFloor } from './pre-warm.ts';
import type { FallbackBehavior, QueueScalerSpec, ScalingRules } from './types.ts';

export interface Clock {
  now(): number;
}

export type MetricReading = { ok: true; value: number } | { ok: false; error: string };

/** What the decision remembers between polls (kept in memory by the leader, like the HPA controller). */
export interface ScaleHistory {
  /** Recommendations before stabilization, oldest first. */
  recommendations: { atMs: number; replicas: number }[];
  /** Replica changes this operator made, oldest first (for the rate policies). */
  scaleEvents: { atMs: number; change: number }[];
}

export const EMPTY_HISTORY: ScaleHistory = { recommendations: [], scaleEvents: [] };

export interface DecideInput {
  spec: QueueScalerSpec;
  /** The target's `spec.replicas` as read from its scale subresource. */
  currentReplicas: number;
  metric: MetricReading;
  consecutiveFailures: number;
  lastActiveTimeMs: number | undefined;
  history: ScaleHistory;
  /** A scheduled open is near (pre-warm.ts): at least this many replicas, whatever the live signal says. */
  floor?: PreWarmFloor;
}

export type Phase = 'paused' | 'active' | 'cooldown' | 'idle' | 'holding' | 'fallback' | 'prewarm';

export interface Decision {
  desiredReplicas: number;
  phase: Phase;
  /** One sentence for conditions and Events. */
  message: string;
  consecutiveFailures: number;
  lastActiveTimeMs: number | undefined;
  history: ScaleHistory;
}

export function decide(input: DecideInput, clock: Clock): Decision {
  const now = clock.now();
  const { spec, currentReplicas: current, metric } = input;
  const history = prune(seed(input.history, current, now), spec, now);
  const keep = { consecutiveFailures: input.consecutiveFailures, lastActiveTimeMs: input.lastActiveTimeMs, history };

  if (spec.paused) return { ...keep, desiredReplicas: current, phase: 'paused', message: 'scaling is paused' };

  if (!metric.ok) {
    const failures = input.consecutiveFailures + 1;
    const fallback = spec.fallback;
    if (fallback && failures >= fallback.failureThreshold) {
      const floor = Math.max(1, spec.minReplicaCount);
      const desired = clamp(fallbackReplicas(fallback.behavior, fallback.replicas, current), floor, Math.max(floor, spec.maxReplicaCount));
      return {
        ...keep, consecutiveFailures: failures, desiredReplicas: desired, phase: 'fallback',
        history: recordScale(history, current, desired, now),
        message: `${failures} metric reads failed in a row (${metric.error}): fallback ${fallback.behavior} to ${desired} replicas`,
      };
    }
    return {
      ...keep, consecutiveFailures: failures, desiredReplicas: current, phase: 'holding',
      message: `metric read failed (${metric.error}); keeping ${current} replicas`,
    };
  }

  const value = metric.value;
  const active = value > spec.activationThreshold;
  const lastActiveTimeMs = active ? now : input.lastActiveTimeMs;
  const coolingDown = !active && lastActiveTimeMs !== undefined && now - lastActiveTimeMs < spec.cooldownPeriodSeconds * 1000;
  const phase: Phase = active ? 'active' : coolingDown ? 'cooldown' : 'idle';

  const recommendation = active
    ? clamp(Math.ceil(value / spec.targetPerReplica), spec.minReplicaCount, spec.maxReplicaCount)
    : coolingDown ? clamp(current, spec.minReplicaCount, spec.maxReplicaCount) : spec.minReplicaCount;
  const withRecommendation = { ...history, recommendations: [...history.recommendations, { atMs: now, replicas: recommendation }] };
  // After the cooldown the queue has been idle for a whole window already: go to the minimum,
  // limited only by the rate policies.
  const stabilized = phase === 'idle' ? recommendation : stabilize(recommendation, current, history, spec, now);
  const limited = limitRate(stabilized, current, history, spec, now);
  // a planned open is not a reaction: the pre-warm floor wins over the rate policies (never over max)
  const floor = Math.min(input.floor?.replicas ?? 0, spec.maxReplicaCount);
  if (input.floor && floor > limited) {
    return {
      desiredReplicas: floor, phase: 'prewarm', consecutiveFailures: 0, lastActiveTimeMs,
      history: recordScale(withRecommendation, current, floor, now), message: input.floor.message,
    };
  }
  const desired = limited;

  return {
    desiredReplicas: desired,
    phase,
    consecutiveFailures: 0,
    lastActiveTimeMs,
    history: recordScale(withRecommendation, current, desired, now),
    message: describe(phase, value, spec, desired),
  };
}

function describe(phase: Phase, value: number, spec: QueueScalerSpec, desired: number): string {
  const figure = `${spec.source.metric} ${value}`;
  if (phase === 'active') return `${figure} > activation ${spec.activationThreshold}: ${desired} replicas at ${spec.targetPerReplica} per replica`;
  if (phase === 'cooldown') return `${figure} <= activation ${spec.activationThreshold}: holding ${desired} replicas during the ${spec.cooldownPeriodSeconds}s cooldown`;
  return `${figure} <= activation ${spec.activationThreshold}: idle at ${desired} replicas`;
}

export function fallbackReplicas(behavior: FallbackBehavior, replicas: number, current: number): number {
  switch (behavior) {
    case 'static': return replicas;
    case 'currentReplicas': return current;
    case 'currentReplicasIfHigher': return Math.max(current, replicas);
    case 'currentReplicasIfLower': return Math.min(current, replicas);
  }
}

/**
 * The HPA's stabilization: scaling up follows the lowest recommendation of the up window, scaling
 * down the highest of the down window, so one spike or one dip does not move the target.
 */
function stabilize(recommendation: number, current: number, history: ScaleHistory, spec: QueueScalerSpec, now: number): number {
  const upSince = now - spec.behavior.scaleUp.stabilizationWindowSeconds * 1000;
  const downSince = now - spec.behavior.scaleDown.stabilizationWindowSeconds * 1000;
  let up = recommendation;
  let down = recommendation;
  for (const r of history.recommendations) {
    if (r.atMs > upSince) up = Math.min(up, r.replicas);
    if (r.atMs > downSince) down = Math.max(down, r.replicas);
  }
  let result = current;
  if (result < up) result = up;
  if (result > down) result = down;
  return result;
}

function changedWithin(history: ScaleHistory, periodSeconds: number, now: number, sign: 1 | -1): number {
  const since = now - periodSeconds * 1000;
  return history.scaleEvents
    .filter((e) => e.atMs > since && Math.sign(e.change) === sign)
    .reduce((sum, e) => sum + Math.abs(e.change), 0);
}

function upLimit(current: number, history: ScaleHistory, rules: ScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const limits = rules.policies.map((p) => {
    const start = current - changedWithin(history, p.periodSeconds, now, 1) + changedWithin(history, p.periodSeconds, now, -1);
    return p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
  });
  const limit = rules.selectPolicy === 'Min' ? Math.min(...limits) : Math.max(...limits);
  return Math.max(limit, 1); // a percentage of zero is zero: activation 0 → 1 is always allowed
}

function downLimit(current: number, history: ScaleHistory, rules: ScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const limits = rules.policies.map((p) => {
    const start = current + changedWithin(history, p.periodSeconds, now, -1) - changedWithin(history, p.periodSeconds, now, 1);
    return p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
  });
  // "Max" selects the policy allowing the biggest change, which for scaling down is the lowest floor.
  return rules.selectPolicy === 'Min' ? Math.max(...limits) : Math.min(...limits);
}

/** The HPA's rate policies, then the [min, max] bounds, which win over them. */
function limitRate(desired: number, current: number, history: ScaleHistory, spec: QueueScalerSpec, now: number): number {
  const upper = Math.min(spec.maxReplicaCount, upLimit(current, history, spec.behavior.scaleUp, now));
  const lower = Math.max(spec.minReplicaCount, downLimit(current, history, spec.behavior.scaleDown, now));
  if (desired > upper) return upper;
  if (desired < lower) return lower;
  return desired;
}

/** With no memory (a fresh start or a new leader) the current count counts as a recommendation made now. */
function seed(history: ScaleHistory, current: number, now: number): ScaleHistory {
  return history.recommendations.length ? history : { ...history, recommendations: [{ atMs: now, replicas: current }] };
}

function prune(history: ScaleHistory, spec: QueueScalerSpec, now: number): ScaleHistory {
  const { scaleUp, scaleDown } = spec.behavior;
  const window = Math.max(scaleUp.stabilizationWindowSeconds, scaleDown.stabilizationWindowSeconds) * 1000;
  const period = Math.max(0, ...scaleUp.policies.map((p) => p.periodSeconds), ...scaleDown.policies.map((p) => p.periodSeconds)) * 1000;
  return {
    recommendations: history.recommendations.filter((r) => r.atMs > now - window),
    scaleEvents: history.scaleEvents.filter((e) => e.atMs > now - period),
  };
}

function recordScale(history: ScaleHistory, current: number, desired: number, now: number): ScaleHistory {
  if (desired === current) return history;
  return { ...history, scaleEvents: [...history.scaleEvents, { atMs: now, change: desired - current }] };
}

function clamp(n: number, low: number, high: number): number {
  return Math.min(Math.max(n, low), high);
}
