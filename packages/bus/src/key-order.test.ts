import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runInKeyOrder } from './key-order.ts';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

test('a key waiting on its handler does not hold another key, and each key keeps its order', async () => {
  const bReached = deferred();
  const seen: string[] = [];
  const messages = [{ key: 'a', n: 1 }, { key: 'a', n: 2 }, { key: 'b', n: 1 }, { key: 'b', n: 2 }];
  const results = await runInKeyOrder(messages, (m) => m.key, async (m) => {
    // a1 cannot finish until b has been handled: run one at a time, this would never end
    if (m.key === 'a' && m.n === 1) await bReached.promise;
    if (m.key === 'b' && m.n === 2) bReached.resolve();
    seen.push(`${m.key}${m.n}`);
    return 'done';
  }, (r) => r === 'done', 4);
  assert.equal(results, ['done', 'done', 'done', 'done']);
  assert.equal(seen.filter((s) => s.startsWith('a')), ['a1', 'a2']);
  assert.equal(seen.filter((s) => s.startsWith('b')), ['b1', 'b2']);
  assert.ok(seen.indexOf('b2') < seen.indexOf('a1'), `b finished before a1: ${seen.join(',')}`);
});

test('an unfinished message ends its key\'s run; other keys go on', async () => {
  const messages = ['a1', 'b1', 'a2', 'b2', 'a3'];
  const results = await runInKeyOrder(messages, (m) => m[0]!, async (m) => (m === 'a2' ? 'retry' : 'done'), (r) => r === 'done', 2);
  assert.equal(results, ['done', 'done', 'retry', 'done', undefined]);
});

test('no more than `concurrency` keys are in flight at once', async () => {
  let inFlight = 0;
  let most = 0;
  const messages = Array.from({ length: 40 }, (_, i) => `k${i % 10}`);
  await runInKeyOrder(messages, (m) => m, async () => {
    most = Math.max(most, ++inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    inFlight--;
    return true;
  }, Boolean, 3);
  assert.is(most, 3);
});

test('an empty batch is handled at once', async () => {
  assert.equal(await runInKeyOrder([], String, async () => true, Boolean, 8), []);
});

test.run();
