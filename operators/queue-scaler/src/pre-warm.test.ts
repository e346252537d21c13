import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { preWarmFloor, type Opening } from './pre-warm.ts';

const T = 1_700_000_000_000;
const spec = { leadSeconds: 300, holdSeconds: 120, fansPerReplica: 2000 };
const opening = (over: Partial<Opening> = {}): Opening => ({ performanceId: 'p1', opensAtMs: T, preQueued: 9000, ...over });

test('before the lead window nothing is pre-warmed; inside it, ceil(pre-queued / fans per replica)', () => {
  assert.is(preWarmFloor(spec, [opening()], T - 301_000), undefined);
  const floor = preWarmFloor(spec, [opening()], T - 300_000);
  assert.is(floor?.replicas, 5);
  assert.match(floor?.message ?? '', 'p1 opens in 300s with 9000 pre-queued');
});

test('after the open the floor holds for holdSeconds, then the live signal takes over', () => {
  assert.is(preWarmFloor(spec, [opening()], T + 119_000)?.replicas, 5);
  assert.is(preWarmFloor(spec, [opening()], T + 120_000), undefined);
});

test('several rooms about to open add up; rooms without a scheduled open or a pre-queue count for nothing', () => {
  const floor = preWarmFloor(spec, [opening(), opening({ performanceId: 'p2', preQueued: 100 }), opening({ performanceId: 'p3', opensAtMs: 0 }), opening({ performanceId: 'p4', preQueued: 0 })], T - 10_000);
  assert.is(floor?.replicas, 6);
});

test.run();
