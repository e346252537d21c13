import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findConflict } from './conflict.ts';
import type { QueueScaler } from './types.ts';

const qs = (name: string, target: string, created: string): QueueScaler => ({
  metadata: { name, creationTimestamp: new Date(created) }, spec: { scaleTargetRef: { name: target }, targetPerReplica: 10 },
});
const first = qs('booking', 'booking', '2026-01-01T00:00:00Z');
const second = qs('booking-2', 'booking', '2026-01-02T00:00:00Z');
const other = qs('queue', 'queue', '2025-01-01T00:00:00Z');

test('alone on its target: no conflict', () => {
  assert.is(findConflict(first, [first, other], []), undefined);
});

test('an HPA on the same Deployment: conflict for every QueueScaler on it', () => {
  const hpas = [{ name: 'booking-hpa', targetKind: 'Deployment', targetName: 'booking' }];
  assert.is(findConflict(first, [first, second], hpas)?.reason, 'HorizontalPodAutoscaler');
  assert.is(findConflict(other, [other], hpas), undefined, 'an HPA on another Deployment is no conflict');
});

test('two QueueScalers on one Deployment: the older keeps it, the newer stands back', () => {
  assert.is(findConflict(first, [second, first], []), undefined);
  const c = findConflict(second, [second, first], []);
  assert.is(c?.reason, 'QueueScaler');
  assert.match(c?.message ?? '', 'QueueScaler booking is older');
  // same age: by name
  const twin = qs('a-twin', 'booking', '2026-01-01T00:00:00Z');
  assert.is(findConflict(first, [first, twin], [])?.reason, 'QueueScaler');
});

test.run();
