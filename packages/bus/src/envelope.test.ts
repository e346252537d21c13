import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initTracing } from '@ticketping/telemetry';
import { DLQ_HEADERS, backoffMs, deadLetterHeaders, deadLetterTopic, decodeEvent, encodeEvent, headersToStrings, publishWithTrace } from './envelope.ts';
import type { BusEvent } from './types.ts';

initTracing({ serviceName: 'bus-unit' });

const event: BusEvent = { id: '6f1c2c8e-8a9b-4e55-9d43-3f0b7d5c1a10', type: 'order.confirmed', key: 'order-1', payload: { seats: ['A1'] }, occurredAt: '2026-11-24T10:00:00.000Z', headers: { traceparent: 'x' } };

test('an event survives encode/decode; headers travel beside the value, not in it', () => {
  const value = encodeEvent(event);
  assert.not.match(value, 'traceparent');
  assert.equal(decodeEvent(value, { traceparent: 'x' }), event);
});

test('encode refuses an event without id, type, key or occurredAt', () => {
  for (const field of ['id', 'type', 'key', 'occurredAt'] as const) {
    assert.throws(() => encodeEvent({ ...event, [field]: '' }), new RegExp(field));
  }
});

test('decode refuses what is not an envelope', () => {
  assert.throws(() => decodeEvent('not json', {}));
  assert.throws(() => decodeEvent('{"hello":"world"}', {}), /not a bus event envelope/);
  assert.throws(() => decodeEvent('null', {}), /not a bus event envelope/);
});

test('dead-letter headers keep the original ones and say what failed, where and how often', () => {
  const headers = deadLetterHeaders({ traceparent: 'x' }, { error: new TypeError('bad seat'), attempts: 5, topic: 'order.confirmed', group: 'catalog', now: new Date(0) });
  assert.equal(headers, {
    traceparent: 'x',
    [DLQ_HEADERS.error]: 'TypeError: bad seat',
    [DLQ_HEADERS.attempts]: '5',
    [DLQ_HEADERS.topic]: 'order.confirmed',
    [DLQ_HEADERS.group]: 'catalog',
    [DLQ_HEADERS.failedAt]: '1970-01-01T00:00:00.000Z',
  });
  const long = deadLetterHeaders({}, { error: 'x'.repeat(5000), attempts: 1, topic: 't', group: 'g' });
  assert.is(long[DLQ_HEADERS.error]!.length, 1000);
  assert.is(deadLetterTopic('order.confirmed'), 'order.confirmed.dlq');
});

test('Kafka header values become strings; the last of repeated values wins', () => {
  assert.equal(headersToStrings({ a: Buffer.from('1'), b: [Buffer.from('x'), Buffer.from('y')], c: undefined, d: 'plain' }), { a: '1', b: 'y', d: 'plain' });
  assert.equal(headersToStrings(undefined), {});
});

test('retry backoff doubles from the base and is capped', () => {
  assert.equal([1, 2, 3, 4].map((retry) => backoffMs(200, retry)), [200, 400, 800, 1600]);
  assert.is(backoffMs(200, 20), 30_000);
});

test('publishing keeps a traceparent the event carries and adds the active one otherwise', async () => {
  let sent: BusEvent[] = [];
  const fresh = { ...event, headers: undefined };
  await publishWithTrace('order.confirmed', [event, fresh], async (events) => void (sent = events));
  assert.is(sent[0]!.headers?.traceparent, 'x');
  assert.match(sent[1]!.headers?.traceparent ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
});

test.run();
