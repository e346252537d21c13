import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { conditionsFor, mergeConditions } from './conditions.ts';
import { EMPTY_HISTORY, type Decision } from './decide.ts';

const decision = (phase: Decision['phase']): Decision => ({
  desiredReplicas: 2, phase, message: 'm', consecutiveFailures: 0, lastActiveTimeMs: undefined, history: EMPTY_HISTORY,
});
const byType = (list: { type: string; status: string; reason: string }[]) => Object.fromEntries(list.map((c) => [c.type, `${c.status}/${c.reason}`]));

test('active scaling: Ready and Active true, no fallback, not paused', () => {
  assert.equal(byType(conditionsFor(decision('active'), true)), {
    Ready: 'True/QueueScalerReady', Active: 'True/ScalerActive', Fallback: 'False/NoFallbackNeeded', Paused: 'False/NotPaused',
    Conflict: 'False/NoConflict',
  });
});

test('another owner of the target: Conflict true, Ready false', () => {
  const c = byType(conditionsFor({ conflict: { reason: 'HorizontalPodAutoscaler', message: 'hpa booking' } }, false));
  assert.is(c.Conflict, 'True/HorizontalPodAutoscaler');
  assert.is(c.Ready, 'False/TargetConflict');
});

test('fallback: Ready false, Fallback true', () => {
  const c = byType(conditionsFor(decision('fallback'), true));
  assert.is(c.Ready, 'False/MetricUnavailable');
  assert.is(c.Fallback, 'True/FallbackActive');
  assert.is(c.Active, 'Unknown/MetricUnavailable');
});

test('cooldown, idle and paused reasons', () => {
  assert.is(byType(conditionsFor(decision('cooldown'), false)).Active, 'False/ScalerCooldown');
  assert.is(byType(conditionsFor(decision('idle'), false)).Active, 'False/ScalerNotActive');
  assert.is(byType(conditionsFor(decision('paused'), false)).Paused, 'True/ScalingPaused');
  assert.is(byType(conditionsFor(decision('holding'), false)).Fallback, 'False/NoFallbackFound');
});

test('a target that cannot be read makes Ready false', () => {
  assert.is(byType(conditionsFor({ targetError: 'deployments "x" not found' }, false)).Ready, 'False/TargetNotReadable');
});

test('lastTransitionTime moves only when the status flips', () => {
  const t1 = new Date('2026-01-01T00:00:00Z');
  const t2 = new Date('2026-01-01T00:01:00Z');
  const first = mergeConditions(undefined, conditionsFor(decision('active'), false), 1, t1);
  const same = mergeConditions(first, conditionsFor(decision('active'), false), 2, t2);
  assert.is(same.find((c) => c.type === 'Ready')?.lastTransitionTime, t1.toISOString());
  assert.is(same.find((c) => c.type === 'Ready')?.observedGeneration, 2);
  const flipped = mergeConditions(same, conditionsFor(decision('fallback'), true), 2, t2);
  assert.is(flipped.find((c) => c.type === 'Ready')?.lastTransitionTime, t2.toISOString());
  assert.is(flipped.find((c) => c.type === 'Paused')?.lastTransitionTime, t1.toISOString());
});

test.run();
