import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nextBaseline, positionSentence, queueProgress } from './queue-progress.ts';

test('progress grows as the people ahead go in', () => {
  assert.is(queueProgress(99, 99, false), 0);
  assert.is(queueProgress(99, 49, false), 50);
  assert.is(queueProgress(99, 0, false), 99);
  assert.is(queueProgress(99, 0, true), 100);
  assert.is(queueProgress(0, 0, false), 0);
  assert.is(queueProgress(10, 20, false), 0);
});

test('the baseline is the first count seen, raised only if the line grew', () => {
  assert.is(nextBaseline(undefined, 40), 40);
  assert.is(nextBaseline(40, 30), 40);
  assert.is(nextBaseline(40, 45), 45);
});

test('position sentences for screen readers', () => {
  assert.is(positionSentence(12, 11), 'You are number 12 in line. 11 people are ahead of you.');
  assert.is(positionSentence(2, 1), 'You are number 2 in line. 1 person is ahead of you.');
  assert.is(positionSentence(1, 0), 'You are number 1 in line. You are next.');
});

test.run();
