/**
 * Status conditions (metav1.Condition) from a decision. `lastTransitionTime` moves only when a
 * condition's status flips, as the API conventions ask, so `kubectl wait` and kstatus read them right.
 */
import type { Conflict } from './conflict.ts';
import type { Decision } from './decide.ts';
import type { Condition } from './types.ts';

type Draft = Omit<Condition, 'lastTransitionTime' | 'observedGeneration'>;

const NO_CONFLICT: Draft = { type: 'Conflict', status: 'False', reason: 'NoConflict', message: 'this QueueScaler is the only owner of its target' };

/**
 * The five conditions for a reconcile that read its target; `targetError` when it could not,
 * `conflict` when another owner of the target keeps this QueueScaler from writing to it.
 */
export function conditionsFor(decision: Decision | { targetError: string } | { conflict: Conflict }, hasFallback: boolean): Draft[] {
  if ('conflict' in decision) {
    const { reason, message } = decision.conflict;
    return [
      { type: 'Ready', status: 'False', reason: 'TargetConflict', message },
      { type: 'Active', status: 'Unknown', reason: 'TargetConflict', message },
      { type: 'Fallback', status: 'False', reason: 'NoFallbackNeeded', message: 'the metric is not the problem' },
      { type: 'Paused', status: 'False', reason: 'NotPaused', message: 'scaling is not paused' },
      { type: 'Conflict', status: 'True', reason, message },
    ];
  }
  if ('targetError' in decision) {
    return [
      { type: 'Ready', status: 'False', reason: 'TargetNotReadable', message: decision.targetError },
      { type: 'Active', status: 'Unknown', reason: 'TargetNotReadable', message: decision.targetError },
      { type: 'Fallback', status: 'False', reason: 'NoFallbackNeeded', message: 'the metric is not the problem' },
      { type: 'Paused', status: 'False', reason: 'NotPaused', message: 'scaling is not paused' },
      NO_CONFLICT,
    ];
  }
  const { phase, message } = decision;
  const metricFailed = phase === 'holding' || phase === 'fallback';
  const ready: Draft = metricFailed
    ? { type: 'Ready', status: 'False', reason: 'MetricUnavailable', message }
    : { type: 'Ready', status: 'True', reason: 'QueueScalerReady', message: 'the metric is read and the target is scaled' };
  const active: Draft =
    phase === 'active' ? { type: 'Active', status: 'True', reason: 'ScalerActive', message }
      : phase === 'prewarm' ? { type: 'Active', status: 'True', reason: 'PreWarming', message }
      : phase === 'cooldown' ? { type: 'Active', status: 'False', reason: 'ScalerCooldown', message }
        : phase === 'idle' ? { type: 'Active', status: 'False', reason: 'ScalerNotActive', message }
          : phase === 'paused' ? { type: 'Active', status: 'False', reason: 'ScalingPaused', message }
            : { type: 'Active', status: 'Unknown', reason: 'MetricUnavailable', message };
  const fallback: Draft =
    phase === 'fallback' ? { type: 'Fallback', status: 'True', reason: 'FallbackActive', message }
      : phase === 'holding' && !hasFallback ? { type: 'Fallback', status: 'False', reason: 'NoFallbackFound', message: 'no fallback is configured: keeping the current replicas' }
        : { type: 'Fallback', status: 'False', reason: 'NoFallbackNeeded', message: metricFailed ? 'below the failure threshold: keeping the current replicas' : 'the metric is healthy' };
  const paused: Draft = phase === 'paused'
    ? { type: 'Paused', status: 'True', reason: 'ScalingPaused', message: 'spec.paused is true: replicas are left as they are' }
    : { type: 'Paused', status: 'False', reason: 'NotPaused', message: 'scaling is not paused' };
  return [ready, active, fallback, paused, NO_CONFLICT];
}

/** Stamps generation and transition times, keeping a condition's time when its status did not change. */
export function mergeConditions(previous: Condition[] | undefined, next: Draft[], generation: number, now: Date): Condition[] {
  return next.map((c) => {
    const before = previous?.find((p) => p.type === c.type);
    const lastTransitionTime = before && before.status === c.status ? before.lastTransitionTime : now.toISOString();
    return { ...c, observedGeneration: generation, lastTransitionTime };
  });
}
