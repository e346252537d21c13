import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually, randomPrefix } from './index.ts';

test('randomPrefix gives distinct names with the label', () => {
  const a = randomPrefix('q');
  const b = randomPrefix('q');
  assert.match(a, /^q_[0-9a-f]{10}$/);
  assert.is.not(a, b);
});

test('eventually returns the first truthy value', async () => {
  let calls = 0;
  const value = await eventually(() => (++calls >= 3 ? 'ready' : undefined), 1000, 1);
  assert.is(value, 'ready');
  assert.is(calls, 3);
});

test('eventually fails with the last error after the deadline', async () => {
  try {
    await eventually(() => { throw new Error('still down'); }, 50, 5);
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.match(String(error), /still down/);
  }
});

test.run();
