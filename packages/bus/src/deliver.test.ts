import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger } from '@ticketping/logger';
import { client } from '@ticketping/metrics';
import { deliver, type Delivery } from './deliver.ts';
import { createBusMetrics } from './metrics.ts';
import { PermanentDeliveryError } from './failure.ts';
import type { HandleResult } from './types.ts';

const logger = createLogger({ service: 'bus-unit', level: 'silent' });

function setup(handle: (attempt: number) => Promise<HandleResult>, overrides: Partial<Delivery> = {}) {
  const registry = new client.Registry();
  const deadLettered: { error: unknown; attempts: number; kind: string }[] = [];
  let attempts = 0;
  let heartbeats = 0;
  const delivery: Delivery = {
    event: { id: 'e1', type: 'order.confirmed', key: 'order-1', payload: {}, occurredAt: new Date(0).toISOString() },
    topic: 'order.confirmed',
    group: 'catalog',
    handle: () => handle(++attempts),
    maxAttempts: 3,
    retryBackoffMs: 1,
    signal: new AbortController().signal,
    heartbeat: async () => void heartbeats++,
    deadLetter: async (error, n, kind) => void deadLettered.push({ error, attempts: n, kind }),
    metrics: createBusMetrics(registry),
    logger,
    ...overrides,
  };
  const count = async (outcome: string) =>
    (await registry.getSingleMetric('ticketping_bus_handled_total')!.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
  return { delivery, deadLettered, count, attempts: () => attempts, heartbeats: () => heartbeats, registry };
}

test('a handler that succeeds is counted ok; one that reports a duplicate is counted apart', async () => {
  const ok = setup(async () => undefined);
  assert.is(await deliver(ok.delivery), 'done');
  assert.is(await ok.count('ok'), 1);
  const duplicate = setup(async () => 'duplicate');
  assert.is(await deliver(duplicate.delivery), 'done');
  assert.is(await duplicate.count('duplicate'), 1);
  assert.is(await duplicate.count('ok'), 0);
});

test('failures are retried, with heartbeats between attempts, until the handler succeeds', async () => {
  const flaky = setup(async (attempt) => {
    if (attempt < 3) throw new Error('db busy');
  });
  assert.is(await deliver(flaky.delivery), 'done');
  assert.is(flaky.attempts(), 3);
  assert.ok(flaky.heartbeats() >= 2);
  assert.is(await flaky.count('retried'), 2);
  assert.is(await flaky.count('ok'), 1);
  assert.equal(flaky.deadLettered, []);
});

test('a transient failure (connection refused, serialization failure) is retried past maxAttempts until it succeeds', async () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  const serialization = Object.assign(new Error('could not serialize access'), { code: '40001' });
  const outage = setup(async (attempt) => {
    if (attempt < 12) throw attempt % 2 ? refused : serialization;
  }, { maxAttempts: 3, maxRetryBackoffMs: 5 });
  assert.is(await deliver(outage.delivery), 'done');
  assert.is(outage.attempts(), 12);
  assert.equal(outage.deadLettered, []);
  assert.is(await outage.count('retried'), 11);
  assert.is(await outage.count('ok'), 1);
});

test('a permanent failure (an invalid payload, the handler\'s verdict) is dead-lettered on the first attempt', async () => {
  const invalid = setup(async () => {
    throw new PermanentDeliveryError('seat map refers to an unknown schedule');
  }, { maxAttempts: 5 });
  assert.is(await deliver(invalid.delivery), 'done');
  assert.is(invalid.attempts(), 1);
  assert.is(invalid.deadLettered[0]?.kind, 'permanent');
  assert.is(await invalid.count('retried'), 0);
});

test('backoff doubles from retryBackoffMs and stops growing at maxRetryBackoffMs', async () => {
  const started = Date.now();
  const slow = setup(async (attempt) => {
    if (attempt < 6) throw Object.assign(new Error('pool'), { name: 'KnexTimeoutError' });
  }, { retryBackoffMs: 10, maxRetryBackoffMs: 20 });
  assert.is(await deliver(slow.delivery), 'done');
  // 10 + 20 + 20 + 20 + 20 ms, not 10 + 20 + 40 + 80 + 160
  assert.ok(Date.now() - started < 250, `took ${Date.now() - started} ms`);
});

test('after maxAttempts failures the event is dead-lettered with the last error, and may be committed', async () => {
  const broken = setup(async (attempt) => {
    throw new Error(`failure ${attempt}`);
  });
  assert.is(await deliver(broken.delivery), 'done');
  assert.is(broken.attempts(), 3);
  assert.is(broken.deadLettered.length, 1);
  assert.is((broken.deadLettered[0]!.error as Error).message, 'failure 3');
  assert.is(broken.deadLettered[0]!.attempts, 3);
  assert.is(broken.deadLettered[0]!.kind, 'unknown', 'an error the bus cannot classify is capped');
  assert.is(await broken.count('dead_lettered'), 1);
  const deadLetterTotal = (await broken.registry.getSingleMetric('ticketping_bus_dead_letter_total')!.get()).values[0]?.value;
  assert.is(deadLetterTotal, 1);
});

test('stop() during the wait before a retry leaves the event uncommitted and makes no further attempt', async () => {
  const abort = new AbortController();
  const stopped = setup(
    async () => {
      setImmediate(() => abort.abort());
      throw new Error('db down');
    },
    { signal: abort.signal, retryBackoffMs: 60_000 },
  );
  assert.is(await deliver(stopped.delivery), 'stopped');
  assert.is(stopped.attempts(), 1);
  assert.equal(stopped.deadLettered, []);
});

test('when the dead-letter publish fails, delivery fails, so the message is redelivered', async () => {
  const stuck = setup(
    async () => {
      throw new Error('bad');
    },
    { maxAttempts: 1, deadLetter: () => Promise.reject(new Error('broker down')) },
  );
  try {
    await deliver(stuck.delivery);
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.is((error as Error).message, 'broker down');
  }
});

test.run();
