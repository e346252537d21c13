import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSharedDeadline } from './shared-deadline.ts';

test('a signal aborts with a TimeoutError no sooner than the deadline and not much later', async () => {
  const deadline = createSharedDeadline(40);
  const started = performance.now();
  const signal = deadline.signal();
  let guard: NodeJS.Timeout | undefined; // also keeps the process alive: the deadline's own timer is unref'd
  const reason = await new Promise<unknown>((resolve, reject) => {
    guard = setTimeout(() => reject(new Error('never aborted')), 1000);
    signal.addEventListener('abort', () => resolve(signal.reason));
  });
  clearTimeout(guard);
  const waited = performance.now() - started;
  deadline.close();
  assert.is((reason as DOMException).name, 'TimeoutError');
  assert.ok(waited >= 39, `aborted after ${waited} ms`);
  assert.ok(waited < 400, `aborted after ${waited} ms`);
});

test('calls in the same slice share one signal', () => {
  const deadline = createSharedDeadline(60_000);
  assert.is(deadline.signal(), deadline.signal());
  deadline.close();
});

test.run();
