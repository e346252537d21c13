/**
 * The behaviour every Bus adapter promises, run against each of them (memory.int.test.ts,
 * kafka.int.test.ts). Each test uses its own random topic and its own consumer groups.
 */
import { randomUUID } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { client, type Registry } from '@ticketping/metrics';
import { SpanKind, context, initTracing, traceFields, withSpan } from '@ticketping/telemetry';
import { eventually, randomPrefix } from '@ticketping/testing';
import { DLQ_HEADERS, PermanentDeliveryError, deadLetterTopic, type Bus, type BusEvent, type SubscribeOptions } from '../src/index.ts';

export interface ContractTarget {
  name: string;
  createBus(registry: Registry): Bus;
  /** How long a delivery may take to show up (a real broker needs longer than memory). */
  timeoutMs: number;
  /**
   * Whether one group handles several keys at once (Kafka and Redis Streams do; the memory bus,
   * a test double with one "partition", handles one message at a time).
   */
  keysAtOnce: boolean;
}

export interface ContractContext {
  bus: Bus;
  registry: Registry;
  subscribe(options: SubscribeOptions): ReturnType<Bus['subscribe']>;
}

export function newTopic(): string {
  return `${randomPrefix('t')}.happened`;
}

export function newEvent<T>(key: string, payload: T): BusEvent<T> {
  return { id: randomUUID(), type: 'test.happened', key, payload, occurredAt: new Date().toISOString() };
}

/** Sum of a metric's samples whose labels include `labels`. */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values.filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val)).reduce((sum, v) => sum + v.value, 0);
}

export function busContract(target: ContractTarget) {
  initTracing({ serviceName: 'bus-contract' });
  const test = suite<ContractContext>(`bus contract (${target.name})`);
  const soon = <T>(check: () => T | Promise<T>) => eventually(check, target.timeoutMs);
  const stops: (() => Promise<void>)[] = [];

  test.before((ctx) => {
    ctx.registry = new client.Registry();
    ctx.bus = target.createBus(ctx.registry);
    ctx.subscribe = async (options) => {
      const subscription = await ctx.bus.subscribe(options);
      stops.push(() => subscription.stop());
      return subscription;
    };
  });

  test.after(async ({ bus }) => {
    await Promise.all(stops.map((stop) => stop()));
    await bus.close();
  });

  test('ready() resolves when the bus can reach its broker', async ({ bus }) => {
    await bus.ready();
  });

  test('a published event is received once, its fields and JSON payload intact', async ({ bus, subscribe, registry }) => {
    const topic = newTopic();
    const received: { event: BusEvent; topic: string }[] = [];
    await subscribe({ group: 'receiver', topics: [topic], handle: async (event, from) => void received.push({ event, topic: from }) });
    const sent = newEvent('order-1', { seats: ['A1', 'A2'], amount: 12_000, at: new Date(0) });
    await bus.publish(topic, [sent]);
    const marker = newEvent('order-1', { marker: true });
    await bus.publish(topic, [marker]);
    await soon(() => received.some((r) => r.event.id === marker.id));
    assert.is(received.filter((r) => r.event.id === sent.id).length, 1);
    const got = received[0]!;
    assert.is(got.topic, topic);
    assert.equal({ ...got.event, headers: undefined }, { ...sent, payload: { seats: ['A1', 'A2'], amount: 12_000, at: '1970-01-01T00:00:00.000Z' }, headers: undefined });
    assert.is(await metricValue(registry, 'ticketping_bus_published_total', { topic }), 2);
    assert.is(await metricValue(registry, 'ticketping_bus_handled_total', { topic, group: 'receiver', outcome: 'ok' }), 2);
  });

  test('events of one key arrive in the order they were published', async ({ bus, subscribe }) => {
    const topic = newTopic();
    const seen = new Map<string, number[]>();
    await subscribe({
      group: 'ordered',
      topics: [topic],
      handle: async (event) => {
        const { n } = event.payload as { n: number };
        seen.set(event.key, [...(seen.get(event.key) ?? []), n]);
      },
    });
    const keys = ['order-a', 'order-b', 'order-c'];
    const events = Array.from({ length: 30 }, (_, n) => newEvent(keys[n % keys.length]!, { n }));
    for (let i = 0; i < events.length; i += 6) await bus.publish(topic, events.slice(i, i + 6));
    await soon(() => [...seen.values()].flat().length === events.length);
    for (const key of keys) {
      const expected = events.filter((e) => e.key === key).map((e) => e.payload.n);
      assert.equal(seen.get(key), expected, `order of ${key}`);
    }
  });

  if (target.keysAtOnce) {
    test('a key whose handler is still at work holds only its own events, not other keys\'', async ({ bus, subscribe }) => {
      const topic = newTopic();
      let release!: () => void;
      const slowMayFinish = new Promise<void>((resolve) => (release = resolve));
      const handled: string[] = [];
      const others = ['k1', 'k2', 'k3', 'k4', 'k5'];
      // Published before the group exists, so its first read holds them all: keys at once is a
      // promise within what one read brings (a read waits for its slowest key before the next).
      await bus.publish(topic, [newEvent('slow', { n: 1 }), newEvent('slow', { n: 2 }), ...others.map((key) => newEvent(key, {}))]);
      try {
        await subscribe({
          group: 'keys-at-once',
          topics: [topic],
          handle: async (event) => {
            if (event.key === 'slow') await slowMayFinish;
            handled.push(event.key);
          },
        });
        // handled one at a time, the others would wait behind 'slow' for ever
        await soon(() => others.every((key) => handled.includes(key)));
        assert.not.ok(handled.includes('slow'));
      } finally {
        release(); // a failed check must not leave a handler waiting (the stop would wait for it)
      }
      await soon(() => handled.filter((key) => key === 'slow').length === 2);
    });
  }

  test('each group receives every event once; members of one group share the work', async ({ bus, subscribe }) => {
    const topic = newTopic();
    const counter = (into: BusEvent[]) => async (event: BusEvent) => void into.push(event);
    const memberOne: BusEvent[] = [];
    const memberTwo: BusEvent[] = [];
    const otherGroup: BusEvent[] = [];
    await subscribe({ group: 'shared', topics: [topic], handle: counter(memberOne) });
    await subscribe({ group: 'shared', topics: [topic], handle: counter(memberTwo) });
    await subscribe({ group: 'other', topics: [topic], handle: counter(otherGroup) });

    const distinct = (events: BusEvent[]) => new Set(events.map((e) => e.id)).size;
    for (const round of [1, 2]) {
      await bus.publish(topic, Array.from({ length: 20 }, (_, n) => newEvent(`key-${n}`, { round })));
      await soon(() => distinct([...memberOne, ...memberTwo]) === 20 * round && distinct(otherGroup) === 20 * round);
      assert.is(memberOne.length + memberTwo.length, 20 * round, 'no duplicates within the shared group');
      assert.is(otherGroup.length, 20 * round, 'no duplicates in the other group');
    }
    assert.ok(memberOne.length > 0 && memberTwo.length > 0, `both members worked (${memberOne.length} + ${memberTwo.length})`);
  });

  test('a failing handler is retried, then dead-lettered to <topic>.dlq, and the next event flows', async ({ bus, subscribe, registry }) => {
    const topic = newTopic();
    const attempts = new Map<string, number>();
    const handled: string[] = [];
    const deadLetters: BusEvent[] = [];
    await subscribe({ group: 'dlq-reader', topics: [deadLetterTopic(topic)], handle: async (event) => void deadLetters.push(event) });
    await subscribe({
      group: 'picky',
      topics: [topic],
      maxAttempts: 3,
      retryBackoffMs: 10,
      handle: async (event) => {
        attempts.set(event.id, (attempts.get(event.id) ?? 0) + 1);
        if ((event.payload as { poison?: boolean }).poison) throw new Error('cannot handle poison');
        handled.push(event.id);
      },
    });
    const poison = newEvent('order-9', { poison: true });
    const next = newEvent('order-9', { poison: false });
    await bus.publish(topic, [poison, next]);

    const [dead] = await soon(() => (deadLetters.length > 0 ? deadLetters : undefined));
    await soon(() => handled.includes(next.id));
    assert.is(dead!.id, poison.id);
    assert.equal(dead!.payload, poison.payload);
    assert.match(dead!.headers?.[DLQ_HEADERS.error] ?? '', 'cannot handle poison');
    assert.is(dead!.headers?.[DLQ_HEADERS.attempts], '3');
    assert.is(dead!.headers?.[DLQ_HEADERS.topic], topic);
    assert.is(dead!.headers?.[DLQ_HEADERS.group], 'picky');
    assert.is(attempts.get(poison.id), 3);
    assert.is(attempts.get(next.id), 1);
    assert.is(await metricValue(registry, 'ticketping_bus_handled_total', { topic, group: 'picky', outcome: 'retried' }), 2);
    assert.is(await metricValue(registry, 'ticketping_bus_handled_total', { topic, group: 'picky', outcome: 'dead_lettered' }), 1);
    assert.is(await metricValue(registry, 'ticketping_bus_dead_letter_total', { topic, group: 'picky' }), 1);
  });

  test('a transient failure outlasting maxAttempts is retried until it succeeds: handled once, nothing dead-lettered, its age shown meanwhile', async ({ bus, subscribe, registry }) => {
    const topic = newTopic();
    const deadLetters: BusEvent[] = [];
    await subscribe({ group: 'dlq-watch', topics: [deadLetterTopic(topic)], handle: async (event) => void deadLetters.push(event) });
    const blip = newEvent('payment-1', { paymentId: 'p-1' });
    const FAILURES = 8; // the old policy dead-lettered after 5 attempts
    let attempts = 0;
    const applied: string[] = [];
    await subscribe({
      group: 'patient',
      topics: [topic],
      maxAttempts: 3,
      retryBackoffMs: 50,
      maxRetryBackoffMs: 400,
      handle: async (event) => {
        if (event.id === blip.id && ++attempts <= FAILURES) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
        applied.push(event.id);
      },
    });
    const ageLabels = { topic, group: 'patient' };
    await bus.publish(topic, [blip]);
    await soon(() => attempts >= 3);
    await soon(async () => (await metricValue(registry, 'ticketping_bus_oldest_unhandled_seconds', ageLabels)) > 0);
    await soon(() => applied.includes(blip.id));
    const marker = newEvent('payment-1', {});
    await bus.publish(deadLetterTopic(topic), [marker]); // the DLQ reader is caught up once it sees this
    await soon(() => deadLetters.some((e) => e.id === marker.id));
    assert.equal(deadLetters.map((e) => e.id), [marker.id], 'nothing was dead-lettered');
    assert.is(attempts, FAILURES + 1);
    assert.equal(applied, [blip.id], 'applied exactly once');
    assert.is(await metricValue(registry, 'ticketping_bus_handled_total', { topic, group: 'patient', outcome: 'retried' }), FAILURES);
    await soon(async () => (await metricValue(registry, 'ticketping_bus_oldest_unhandled_seconds', ageLabels)) === 0);
  });

  test('a poison message (the handler\'s permanent verdict) is dead-lettered at once and the messages of its key behind it flow', async ({ bus, subscribe, registry }) => {
    const topic = newTopic();
    const deadLetters: BusEvent[] = [];
    await subscribe({ group: 'poison-dlq-watch', topics: [deadLetterTopic(topic)], handle: async (event) => void deadLetters.push(event) });
    const attempts = new Map<string, number>();
    const handled: string[] = [];
    await subscribe({
      group: 'verdict',
      topics: [topic],
      retryBackoffMs: 60_000, // a retry would stall the test: there must be none
      handle: async (event) => {
        attempts.set(event.id, (attempts.get(event.id) ?? 0) + 1);
        if ((event.payload as { poison?: boolean }).poison) throw new PermanentDeliveryError('seat map refers to an unknown schedule');
        handled.push(event.id);
      },
    });
    const before = newEvent('order-5', { n: 1 });
    const poison = newEvent('order-5', { poison: true });
    const after = [newEvent('order-5', { n: 2 }), newEvent('order-5', { n: 3 })];
    await bus.publish(topic, [before, poison, ...after]);
    await soon(() => handled.length === 3);
    await soon(() => deadLetters.length === 1);
    assert.equal(handled, [before.id, ...after.map((e) => e.id)]);
    assert.is(deadLetters[0]!.id, poison.id);
    assert.is(deadLetters[0]!.headers?.[DLQ_HEADERS.reason], 'permanent');
    assert.is(deadLetters[0]!.headers?.[DLQ_HEADERS.attempts], '1');
    assert.is(attempts.get(poison.id), 1);
    assert.is(await metricValue(registry, 'ticketping_bus_handled_total', { topic, group: 'verdict', outcome: 'retried' }), 0);
  });

  test('an event whose handler never succeeded is redelivered after a restart; handled ones are not', async ({ bus, subscribe }) => {
    const topic = newTopic();
    const first = newEvent('order-7', { step: 1 });
    const second = newEvent('order-7', { step: 2 });
    let secondAttempts = 0;
    let firstHandled = false;
    const failing = await subscribe({
      group: 'restarting',
      topics: [topic],
      maxAttempts: 1000,
      retryBackoffMs: 20,
      handle: async (event) => {
        if (event.id === first.id) firstHandled = true;
        if (event.id === second.id) {
          secondAttempts += 1;
          throw new Error('database down');
        }
      },
    });
    await bus.publish(topic, [first, second]);
    await soon(() => firstHandled && secondAttempts >= 2);
    await failing.stop();
    const attemptsBeforeStop = secondAttempts;

    const redelivered: string[] = [];
    await subscribe({ group: 'restarting', topics: [topic], handle: async (event) => void redelivered.push(event.id) });
    await soon(() => redelivered.includes(second.id));
    assert.equal(redelivered, [second.id], 'only the unfinished event comes back');
    assert.is(secondAttempts, attemptsBeforeStop, 'the stopped member made no attempt after stop()');
  });

  test('trace context travels with the event', async ({ bus, subscribe }) => {
    const topic = newTopic();
    const traces = new Map<string, string | undefined>();
    await subscribe({ group: 'traced', topics: [topic], handle: async (event) => void traces.set(event.id, traceFields().traceId) });

    const inRequest = newEvent('order-3', {});
    const requestTraceId = await withSpan('POST /api/v1/orders', SpanKind.SERVER, context.active(), async () => {
      await bus.publish(topic, [inRequest]);
      return traceFields().traceId;
    });
    // An outbox row carries the trace of the request that wrote it, not the relay's.
    const storedTraceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const fromOutbox = { ...newEvent('order-3', {}), headers: { traceparent: `00-${storedTraceId}-00f067aa0ba902b7-01` } };
    await bus.publish(topic, [fromOutbox]);

    await soon(() => traces.size === 2);
    assert.match(requestTraceId ?? '', /^[0-9a-f]{32}$/);
    assert.is(traces.get(inRequest.id), requestTraceId);
    assert.is(traces.get(fromOutbox.id), storedTraceId);
  });

  return test;
}
