/**
 * The patched kafkajs RequestQueue (patches/kafkajs+*.patch) on its own: requests held back by
 * client-side throttling or by the in-flight limit still go out, and once nothing is pending no
 * timer stays armed, none with a negative delay.
 */
import { createRequire } from 'node:module';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually } from '@ticketping/testing';
import { countTimers } from './timers.ts';

interface RequestQueue {
  push(request: { entry: Record<string, unknown>; expectResponse: boolean; sendRequest: () => void }): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
  maybeThrottle(ms: number): void;
  pending: unknown[];
  inflight: Map<number, unknown>;
  throttleCheckTimeoutId: unknown;
  destroy(): void;
}
type RequestQueueClass = new (options: Record<string, unknown>) => RequestQueue;

const RequestQueueClass = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as RequestQueueClass;
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const warnings: Error[] = [];
process.on('warning', (warning) => warnings.push(warning));

function queue(maxInFlightRequests: number | null) {
  const q = new RequestQueueClass({ maxInFlightRequests, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 'test', broker: 'localhost:9092', logger: quiet });
  const sent: number[] = [];
  let next = 0;
  const push = () => {
    const correlationId = next++;
    q.push({
      entry: { correlationId, apiKey: 18, apiName: 'ApiVersions', apiVersion: 0, resolve: () => undefined, reject: () => undefined },
      expectResponse: true,
      sendRequest: () => sent.push(correlationId),
    });
    return correlationId;
  };
  const fulfill = (correlationId: number) => q.fulfillRequest({ correlationId, payload: Buffer.alloc(0), size: 0 });
  return { q, sent, push, fulfill };
}

test('a request held back by client-side throttling goes out when the throttle ends, and no timer is left', async () => {
  const { q, sent, push, fulfill } = queue(null);
  q.maybeThrottle(100);
  const held = Date.now();
  const id = push();
  assert.equal(sent, [], 'throttled: not sent at once');
  await eventually(() => sent.includes(id), 5000, 5);
  assert.ok(Date.now() - held >= 90, `sent ${Date.now() - held} ms after a 100 ms throttle`);
  // Counted from the send on: while throttled, a check that fires a millisecond before the end
  // (timers and Date.now() round differently) rightly re-arms once for the millisecond left.
  const timers = countTimers();
  fulfill(id);
  assert.is(q.throttleCheckTimeoutId, null, 'no check armed with nothing pending');
  assert.is(timers.stop().armed, 0, 'the answer arms no timer');
  q.destroy();
});

test('over the in-flight limit a request waits for an answer, then goes out; at rest no timer is re-armed', async () => {
  const { q, sent, push, fulfill } = queue(1);
  const timers = countTimers();
  const first = push();
  const second = push();
  assert.equal(sent, [first]);
  fulfill(first);
  assert.equal(sent, [first, second], 'sent as soon as the first was answered');
  fulfill(second);
  assert.is(q.pending.length, 0);
  assert.is(q.inflight.size, 0);
  // the 10 ms check armed while the second request waited fires once, finds nothing, and stops
  await eventually(() => q.throttleCheckTimeoutId === null, 5000, 20);
  assert.is(timers.stop().dueWithin1ms, 0);
  q.destroy();
});

test('answers on an idle queue arm no timer (the 1 ms loop of kafkajs#1704) and warn of no negative delay', () => {
  const { q, push, fulfill } = queue(null);
  const timers = countTimers();
  for (let i = 0; i < 100; i++) fulfill(push());
  assert.is(q.throttleCheckTimeoutId, null);
  assert.is(timers.stop().armed, 0);
  assert.is(warnings.filter((w) => w.name === 'TimeoutNegativeWarning').length, 0);
  q.destroy();
});

test.run();
