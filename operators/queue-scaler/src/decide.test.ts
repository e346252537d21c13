import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { decide, EMPTY_HISTORY, type DecideInput, type Decision, type MetricReading, type ScaleHistory } from './decide.ts';
import { withDefaults, type QueueScaler, type QueueScalerSpec } from './types.ts';

const T0 = 1_700_000_000_000;
const clockAt = (ms: number) => ({ now: () => ms });
const ok = (value: number): MetricReading => ({ ok: true, value });
const failed: MetricReading = { ok: false, error: 'connect ECONNREFUSED' };

/** A spec with no stabilization and generous rate limits, so each case shows one rule at a time. */
function spec(overrides: Partial<QueueScaler['spec']> = {}): QueueScalerSpec {
  return withDefaults({
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'booking' },
    targetPerReplica: 100,
    minReplicaCount: 1,
    maxReplicaCount: 10,
    cooldownPeriodSeconds: 60,
    behavior: {
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 100, periodSeconds: 15 }] },
      scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 100, periodSeconds: 15 }] },
    },
    ...overrides,
  });
}

function input(overrides: Partial<DecideInput> = {}): DecideInput {
  return { spec: spec(), currentReplicas: 1, metric: ok(0), consecutiveFailures: 0, lastActiveTimeMs: undefined, history: EMPTY_HISTORY, ...overrides };
}

const run = (overrides: Partial<DecideInput>, at = T0): Decision => decide(input(overrides), clockAt(at));

const table: [string, Partial<DecideInput>, number, Decision['phase']][] = [
  ['ceil(metric / target): 250 at 100 per replica → 3', { metric: ok(250) }, 3, 'active'],
  ['exact multiple: 300 → 3', { metric: ok(300) }, 3, 'active'],
  ['clamped to max', { metric: ok(5000) }, 10, 'active'],
  ['clamped to min when the need is small', { spec: spec({ minReplicaCount: 2 }), metric: ok(10) }, 2, 'active'],
  ['activation is strictly greater: metric = threshold is idle', { spec: spec({ activationThreshold: 50, minReplicaCount: 0 }), metric: ok(50), currentReplicas: 0 }, 0, 'idle'],
  ['activation wins over scaling: 40 with threshold 50 stays at 0', { spec: spec({ activationThreshold: 50, minReplicaCount: 0, targetPerReplica: 10 }), metric: ok(40), currentReplicas: 0 }, 0, 'idle'],
  ['activation 0 → 1 from zero', { spec: spec({ minReplicaCount: 0 }), metric: ok(1), currentReplicas: 0 }, 1, 'active'],
  ['inactive within cooldown holds', { metric: ok(0), currentReplicas: 6, lastActiveTimeMs: T0 - 59_000 }, 6, 'cooldown'],
  ['inactive after cooldown goes to min', { metric: ok(0), currentReplicas: 6, lastActiveTimeMs: T0 - 61_000 }, 1, 'idle'],
  ['cooldown to zero when min is 0', { spec: spec({ minReplicaCount: 0 }), metric: ok(0), currentReplicas: 4, lastActiveTimeMs: T0 - 61_000 }, 0, 'idle'],
  ['never active before: straight to min', { metric: ok(0), currentReplicas: 3 }, 1, 'idle'],
  ['paused keeps replicas whatever the metric', { spec: spec({ paused: true }), metric: ok(5000), currentReplicas: 2 }, 2, 'paused'],
  ['max lowered below current: bounds beat rate limits', { spec: spec({ maxReplicaCount: 4 }), metric: ok(900), currentReplicas: 9 }, 4, 'active'],
];

for (const [name, overrides, expected, phase] of table) {
  test(name, () => {
    const d = run(overrides);
    assert.is(d.desiredReplicas, expected);
    assert.is(d.phase, phase);
  });
}

test('a failed read keeps the current count and counts the failure', () => {
  const d = run({ metric: failed, currentReplicas: 4, consecutiveFailures: 1, spec: spec({ fallback: { failureThreshold: 3, replicas: 2, behavior: 'static' } }) });
  assert.is(d.desiredReplicas, 4);
  assert.is(d.phase, 'holding');
  assert.is(d.consecutiveFailures, 2);
});

test('a failed read at zero replicas without fallback never scales (and never to zero from above)', () => {
  assert.is(run({ metric: failed, currentReplicas: 0, spec: spec({ minReplicaCount: 0 }) }).desiredReplicas, 0);
  assert.is(run({ metric: failed, currentReplicas: 3, spec: spec({ minReplicaCount: 0 }) }).desiredReplicas, 3);
});

const fallbackCases: [string, 'static' | 'currentReplicas' | 'currentReplicasIfHigher' | 'currentReplicasIfLower', number, number][] = [
  ['static', 'static', 7, 3],
  ['currentReplicas', 'currentReplicas', 7, 7],
  ['currentReplicasIfHigher keeps more', 'currentReplicasIfHigher', 7, 7],
  ['currentReplicasIfHigher raises fewer', 'currentReplicasIfHigher', 2, 3],
  ['currentReplicasIfLower', 'currentReplicasIfLower', 7, 3],
];
for (const [name, behavior, current, expected] of fallbackCases) {
  test(`fallback after the threshold: ${name}`, () => {
    const d = run({ metric: failed, currentReplicas: current, consecutiveFailures: 2, spec: spec({ fallback: { failureThreshold: 3, replicas: 3, behavior } }) });
    assert.is(d.phase, 'fallback');
    assert.is(d.consecutiveFailures, 3);
    assert.is(d.desiredReplicas, expected);
  });
}

test('fallback never lands on zero, even from zero with min 0', () => {
  const d = run({ metric: failed, currentReplicas: 0, consecutiveFailures: 5, spec: spec({ minReplicaCount: 0, fallback: { failureThreshold: 1, replicas: 2, behavior: 'currentReplicasIfLower' } }) });
  assert.is(d.desiredReplicas, 1);
});

test('a good read resets the failure count', () => {
  assert.is(run({ metric: ok(10), consecutiveFailures: 9 }).consecutiveFailures, 0);
});

test('scale-down stabilization: the highest recommendation of the window wins', () => {
  const s = spec({ behavior: { scaleDown: { stabilizationWindowSeconds: 30, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 100, periodSeconds: 15 }] } } as never });
  const history: ScaleHistory = { recommendations: [{ atMs: T0 - 20_000, replicas: 8 }, { atMs: T0 - 10_000, replicas: 5 }], scaleEvents: [] };
  assert.is(run({ spec: s, metric: ok(200), currentReplicas: 8, history, lastActiveTimeMs: T0 }).desiredReplicas, 8);
  // 11 s later the 8 (now 31 s old) left the window; the 5 (21 s old) still holds the floor
  assert.is(run({ spec: s, metric: ok(200), currentReplicas: 8, history, lastActiveTimeMs: T0 }, T0 + 11_000).desiredReplicas, 5);
});

test('scale-up stabilization: the lowest recommendation of the window wins', () => {
  const s = spec({ behavior: { scaleUp: { stabilizationWindowSeconds: 30, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 100, periodSeconds: 15 }] } } as never });
  const history: ScaleHistory = { recommendations: [{ atMs: T0 - 10_000, replicas: 2 }], scaleEvents: [] };
  assert.is(run({ spec: s, metric: ok(900), currentReplicas: 1, history }).desiredReplicas, 2);
});

test('a fresh start never scales down before the down window', () => {
  const s = spec({ behavior: { scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] } } as never });
  const d = run({ spec: s, metric: ok(100), currentReplicas: 6, lastActiveTimeMs: T0 });
  assert.is(d.desiredReplicas, 6);
  assert.is(decide({ ...input({ spec: s, metric: ok(100), currentReplicas: 6 }), history: d.history }, clockAt(T0 + 61_000)).desiredReplicas, 1);
});

test('scale-up rate: HPA default policy (double or +4 per 15 s, the larger)', () => {
  const s = spec({ behavior: {} as never });
  assert.is(run({ spec: s, metric: ok(5000), currentReplicas: 1 }).desiredReplicas, 5);
  assert.is(run({ spec: s, metric: ok(5000), currentReplicas: 6 }).desiredReplicas, 10);
});

test('scale-up rate counts changes already made in the period', () => {
  const s = spec({ maxReplicaCount: 50, behavior: { scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] } } as never });
  const history: ScaleHistory = { recommendations: [], scaleEvents: [{ atMs: T0 - 30_000, change: 2 }] };
  // started the period at 3, already +2: no more room until the event ages out
  assert.is(run({ spec: s, metric: ok(5000), currentReplicas: 5, history }).desiredReplicas, 5);
  assert.is(run({ spec: s, metric: ok(5000), currentReplicas: 5, history }, T0 + 31_000).desiredReplicas, 7);
});

test('scale-down rate: Percent and Pods with selectPolicy Min takes the smaller step', () => {
  const rules = { stabilizationWindowSeconds: 0, selectPolicy: 'Min', policies: [{ type: 'Percent', value: 50, periodSeconds: 15 }, { type: 'Pods', value: 1, periodSeconds: 15 }] };
  const s = spec({ behavior: { scaleDown: rules } as never });
  assert.is(run({ spec: s, metric: ok(0), currentReplicas: 10 }).desiredReplicas, 9);
  const max = spec({ behavior: { scaleDown: { ...rules, selectPolicy: 'Max' } } as never });
  assert.is(run({ spec: max, metric: ok(0), currentReplicas: 10 }).desiredReplicas, 5);
});

test('selectPolicy Disabled forbids that direction', () => {
  const s = spec({ behavior: { scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Disabled', policies: [] } } as never });
  assert.is(run({ spec: s, metric: ok(0), currentReplicas: 7 }).desiredReplicas, 7);
});

test('history records the recommendation and each change made', () => {
  const d = run({ metric: ok(450), currentReplicas: 2 });
  assert.equal(d.history.scaleEvents, [{ atMs: T0, change: 3 }]);
  assert.is(d.history.recommendations.at(-1)?.replicas, 5);
});

test('property: results stay within [min, max] and a failure never lowers to zero', () => {
  fc.assert(fc.property(
    fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 60 }),
    fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined }), fc.integer({ min: 0, max: 10 }), fc.boolean(),
    (min, span, current, value, failures, withFallback) => {
      const s = spec({ minReplicaCount: min, maxReplicaCount: min + span, ...(withFallback ? { fallback: { failureThreshold: 2, replicas: 3, behavior: 'static' as const } } : {}) });
      const d = run({ spec: s, currentReplicas: current, metric: value === undefined ? failed : ok(value), consecutiveFailures: failures, lastActiveTimeMs: T0 - 120_000 });
      if (value === undefined) {
        if (current > 0) assert.ok(d.desiredReplicas > 0);
        if (d.phase === 'fallback') assert.ok(d.desiredReplicas >= 1 && d.desiredReplicas <= Math.max(1, s.maxReplicaCount));
        else assert.is(d.desiredReplicas, current);
      } else {
        assert.ok(d.desiredReplicas >= s.minReplicaCount && d.desiredReplicas <= s.maxReplicaCount, `${d.desiredReplicas} outside [${s.minReplicaCount}, ${s.maxReplicaCount}]`);
        if (value > 0) assert.ok(d.desiredReplicas >= 1);
      }
    },
  ));
});

test('a pre-warm floor wins over an idle queue and the rate policies, never over max', () => {
  const oneAtATime = { stabilizationWindowSeconds: 0, selectPolicy: 'Max' as const, policies: [{ type: 'Pods' as const, value: 1, periodSeconds: 60 }] };
  const slow = spec({ behavior: { scaleUp: oneAtATime, scaleDown: oneAtATime } });
  const warmed = run({ spec: slow, metric: ok(0), floor: { replicas: 6, message: 'p1 opens in 60s' } });
  assert.equal([warmed.desiredReplicas, warmed.phase, warmed.message], [6, 'prewarm', 'p1 opens in 60s']);
  assert.is(run({ metric: ok(0), floor: { replicas: 50, message: 'm' } }).desiredReplicas, 10);
  // the live signal above the floor: the floor changes nothing
  const live = run({ metric: ok(800), floor: { replicas: 2, message: 'm' } });
  assert.equal([live.desiredReplicas, live.phase], [8, 'active']);
});

test('requestRate: the target\'s own pods on the management port by default; replicas = ceil(requests per second / target)', () => {
  const rate = spec({ source: { metric: 'requestRate' }, targetPerReplica: 400 });
  assert.equal(rate.source, { metric: 'requestRate', pods: { port: 'management', path: '/metrics' } });
  const named = spec({ source: { metric: 'requestRate', route: '/api/v1/queues/:performanceId/entries/me', pods: { selector: { matchLabels: { app: 'queue' } }, port: 9090, path: '/metrics' } } });
  assert.equal(named.source.pods, { selector: { matchLabels: { app: 'queue' } }, port: 9090, path: '/metrics' });
  assert.equal(spec().source, { metric: 'backlog' }, 'the waiting-room figures need no pods');
  const d = decide(input({ spec: rate, metric: ok(1650) }), clockAt(T0));
  assert.equal([d.desiredReplicas, d.phase], [5, 'active']);
  assert.match(d.message, /requestRate 1650/);
  const failedRead = decide(input({ spec: rate, currentReplicas: 3, metric: { ok: false, error: 'first scrape of 3 pods: a rate needs a second one' } }), clockAt(T0));
  assert.equal([failedRead.desiredReplicas, failedRead.phase], [3, 'holding'], 'no rate yet keeps the count');
});

test.run();
