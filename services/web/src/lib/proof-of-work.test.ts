import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { powProgress } from './proof-of-work.ts';

test('progress fills against the whole range and stays below 100 until solved', () => {
  assert.is(powProgress(0, 100_000), 0);
  assert.is(powProgress(50_000, 100_000), 49);
  assert.is(powProgress(100_001, 100_000), 99);
  assert.is(powProgress(5, 0), 100);
});

test.run();
