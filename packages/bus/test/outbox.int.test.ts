import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger } from '@ticketping/logger';
import { client } from '@ticketping/metrics';
import { eventually, randomPrefix, testEnv } from '@ticketping/testing';
import { createKafkaBus, createMemoryBus, enqueue, handleOnce, startOutboxRelay, type Bus, type BusEvent, type OutboxRelay } from '../src/index.ts';
import { metricValue } from './contract.ts';
import { freshDatabase, type FreshDatabase } from './fresh-database.ts';

const logger = createLogger({ service: 'outbox-test', level: 'fatal' });
let database: FreshDatabase;
let bus: Bus;
const relays: OutboxRelay[] = [];
const kafkaMetrics = new client.Registry();
const topicPrefix = `${randomPrefix('bus')}.`;
let kafkaBus: Bus;
const relayProcesses = new Set<ChildProcess>();

test.before(async () => {
  database = await freshDatabase('bus_outbox');
  bus = createMemoryBus({ logger });
  kafkaBus = createKafkaBus({ clientId: 'outbox-test', brokers: testEnv.kafkaBrokers, logger, metrics: kafkaMetrics, topicPrefix });
});

test.after(async () => {
  for (const child of relayProcesses) child.kill('SIGKILL');
  await Promise.all(relays.map((relay) => relay.stop()));
  await Promise.all([bus.close(), kafkaBus.close()]);
  await database.drop();
});

function relay(options: Partial<Parameters<typeof startOutboxRelay>[0]> & { schema: string }): OutboxRelay {
  const started = startOutboxRelay({ knex: database.db, bus, logger, listen: false, pollIntervalMs: 60_000, ...options });
  relays.push(started);
  return started;
}

async function collect(topic: string): Promise<BusEvent[]> {
  const received: BusEvent[] = [];
  await bus.subscribe({ group: `observer-${topic}`, topics: [topic], handle: async (event) => void received.push(event) });
  return received;
}

async function pendingRows(schema: string): Promise<number> {
  const [row] = await database.db(`${schema}.outbox`).whereNull('published_at').count<{ count: string }[]>({ count: '*' });
  return Number(row?.count);
}

test('an event written in a rolled-back transaction is never published; a committed one is, once', async () => {
  const schema = await database.newSchema();
  const received = await collect('order.created');
  let rolledBack: BusEvent | undefined;
  await database.db
    .transaction(async (trx) => {
      rolledBack = await enqueue(trx, schema, { topic: 'order.created', type: 'order.created', key: 'order-1', payload: { seats: ['A1'] } });
      throw new Error('seat taken after all');
    })
    .catch(() => undefined);
  const committed = await database.db.transaction((trx) => enqueue(trx, schema, { topic: 'order.created', type: 'order.created', key: 'order-2', payload: { seats: ['A2'] } }));

  const started = relay({ schema });
  await started.drainOnce();
  await eventually(() => received.some((e) => e.id === committed.id));
  await started.drainOnce();
  assert.equal(received.map((e) => e.id), [committed.id]);
  assert.equal(received[0]!.payload, { seats: ['A2'] });
  assert.ok(rolledBack, 'the rolled-back transaction did enqueue');
  assert.is(await database.db(`${schema}.outbox`).where({ id: rolledBack.id }).first(), undefined);
  assert.is(await pendingRows(schema), 0);
});

test('the relay keeps the bus tables bounded: old published rows and old inbox rows go, recent and pending ones stay', async () => {
  const schema = await database.newSchema();
  const day = 24 * 3600_000;
  const ago = (ms: number) => new Date(Date.now() - ms);
  // One after another: a transaction is one connection, which runs one query at a time.
  const [oldPublished, recentPublished, pending] = await database.db.transaction(async (trx) => {
    const events: BusEvent[] = [];
    for (const key of ['old', 'recent', 'pending']) events.push(await enqueue(trx, schema, { topic: 'housekeeping', type: 'housekeeping', key, payload: {} }));
    return events;
  });
  await database.db(`${schema}.outbox`).where({ id: oldPublished!.id }).update({ published_at: ago(2 * day) });
  await database.db(`${schema}.outbox`).where({ id: recentPublished!.id }).update({ published_at: ago(60_000) });
  await database.db(`${schema}.inbox`).insert([
    { consumer: 'booking', event_id: oldPublished!.id, handled_at: ago(15 * day) },
    { consumer: 'booking', event_id: recentPublished!.id, handled_at: ago(13 * day) },
  ]);
  const housekeeper = relay({ schema, bus: createMemoryBus({ logger }) }); // its first pass prunes
  await eventually(async () => (await database.db(`${schema}.inbox`).count<{ n: string }[]>({ n: '*' }))[0]!.n === '1');
  await housekeeper.stop();
  assert.equal((await database.db(`${schema}.inbox`).select('event_id')).map((r: { event_id: string }) => r.event_id), [recentPublished!.id], 'inbox rows younger than 14 days stay');
  const left = (await database.db(`${schema}.outbox`).select('id')).map((r: { id: string }) => r.id).sort();
  assert.equal(left, [recentPublished!.id, pending!.id].sort(), 'published rows younger than a day stay; pending ones are published, not pruned');
});

test('relays in parallel publish every row exactly once and keep each key in order', async () => {
  const schema = await database.newSchema();
  const received = await collect('seat.held');
  const keys = Array.from({ length: 20 }, (_, n) => `order-${n}`);
  for (let round = 0; round < 10; round++) {
    await database.db.transaction(async (trx) => {
      for (const key of keys) await enqueue(trx, schema, { topic: 'seat.held', type: 'seat.held', key, payload: { round } });
    });
  }
  // Publishing now and then stalls (a slow broker ack, a GC pause), so one relay runs batches
  // ahead of the other: without per-key locking that reorders a key's events.
  const publishedBy = [0, 0, 0, 0];
  const slowBus = (index: number): Bus => ({
    ...bus,
    async publish(topic, events) {
      await sleep(randomInt(5) === 0 ? 25 : 1);
      await bus.publish(topic, events);
      publishedBy[index]! += events.length;
    },
  });
  // Four relays, so that one often takes a key's lock in the moment another lets it go.
  for (const index of publishedBy.keys()) relay({ schema, bus: slowBus(index), batchSize: 10, pollIntervalMs: 20 });

  await eventually(() => received.length >= 200 && pendingRows(schema).then((n) => n === 0));
  assert.is(new Set(received.map((e) => e.id)).size, 200, 'every row published');
  assert.is(received.length, 200, 'no row published twice');
  for (const key of keys) {
    const rounds = received.filter((e) => e.key === key).map((e) => (e.payload as { round: number }).round);
    assert.equal(rounds, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], `order of ${key}`);
  }
  assert.ok(publishedBy.filter((n) => n > 0).length > 1, `the relays shared the work (${publishedBy.join(' + ')})`);
});

test('while the bus is down rows stay pending and the gauges show them; they go out once it is back', async () => {
  const schema = await database.newSchema();
  const registry = new client.Registry();
  const received = await collect('payment.succeeded');
  let down = true;
  const flakyBus: Bus = {
    ...bus,
    publish: (topic, events) => (down ? Promise.reject(new Error('broker unreachable')) : bus.publish(topic, events)),
  };
  const started = relay({ schema, bus: flakyBus, metrics: registry });
  for (const key of ['pay-1', 'pay-2']) {
    await database.db.transaction((trx) => enqueue(trx, schema, { topic: 'payment.succeeded', type: 'payment.succeeded', key, payload: {} }));
  }
  const failsWith = (error: unknown) => /broker unreachable/.test(String(error));
  await eventually(() => started.drainOnce().then(() => false, failsWith));
  assert.is(await metricValue(registry, 'ticketping_outbox_pending', {}), 2);
  assert.ok((await metricValue(registry, 'ticketping_outbox_oldest_pending_seconds', {})) > 0);
  assert.is(received.length, 0);

  down = false;
  await started.drainOnce();
  await eventually(() => received.length === 2);
  assert.is(await metricValue(registry, 'ticketping_outbox_pending', {}), 0);
  assert.is(await metricValue(registry, 'ticketping_outbox_oldest_pending_seconds', {}), 0);
});

test('a listening relay publishes at commit, long before its next poll', async () => {
  const schema = await database.newSchema();
  const received = await collect('order.confirmed');
  const confirm = (key: string) => database.db.transaction((trx) => enqueue(trx, schema, { topic: 'order.confirmed', type: 'order.confirmed', key, payload: {} }));
  relay({ schema, listen: true, pollIntervalMs: 60_000 });
  // Once the first event is out, the relay's pass is over: the next one needs a wake-up.
  const first = await confirm('order-5');
  await eventually(() => received.some((e) => e.id === first.id), 5_000);
  const started = Date.now();
  const second = await confirm('order-6');
  await eventually(() => received.some((e) => e.id === second.id), 5_000);
  assert.ok(Date.now() - started < 5_000, 'published at commit, not at the 60 s poll');
});


type CrashPoint = 'before-publish' | 'after-publish';

/** A relay in a child process publishing to the real broker (test/relay-process.ts). */
function spawnRelayProcess(schema: string, crashAt?: CrashPoint): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=source', fileURLToPath(new URL('./relay-process.ts', import.meta.url))], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: {
      ...process.env,
      RELAY_DATABASE_URL: database.url,
      RELAY_SCHEMA: schema,
      RELAY_KAFKA_BROKERS: testEnv.kafkaBrokers.join(','),
      RELAY_TOPIC_PREFIX: topicPrefix,
      ...(crashAt ? { RELAY_CRASH_AT: crashAt } : {}),
    },
  });
  relayProcesses.add(child);
  child.once('exit', () => relayProcesses.delete(child));
  return child;
}

async function messageFrom(child: ChildProcess, wanted: string): Promise<Record<string, unknown>> {
  const signal = AbortSignal.timeout(30_000);
  for (;;) {
    const [message] = (await once(child, 'message', { signal })) as [Record<string, unknown>];
    if (wanted in message) return message;
  }
}

const crashes: Record<CrashPoint, { when: string; deliveries: number }> = {
  'before-publish': { when: 'after the commit, before the publish', deliveries: 1 },
  'after-publish': { when: 'after the publish, before the row is marked published', deliveries: 2 },
};

for (const [crashAt, { when, deliveries: expectedDeliveries }] of Object.entries(crashes) as [CrashPoint, (typeof crashes)[CrashPoint]][]) {
  test(`a relay SIGKILLed ${when} is restarted and the event is applied exactly once`, async () => {
    const schema = await database.newSchema();
    await database.db.schema.withSchema(schema).createTable('confirmations', (t) => {
      t.uuid('event_id').notNullable(); // deliberately not unique: a double apply would show
    });
    const topic = `payment.succeeded.${crashAt}`;
    const group = `booking-${crashAt}`;
    // What the consumer did with each copy it got, recorded once its transaction is over.
    const outcomes: string[] = [];
    await kafkaBus.subscribe({
      group,
      topics: [topic],
      handle: async (event) => {
        const outcome = await handleOnce(database.db, schema, 'booking', event, async (trx) => void (await trx(`${schema}.confirmations`).insert({ event_id: event.id })));
        outcomes.push(`${event.id}:${outcome}`);
        return outcome;
      },
    });
    const event = await database.db.transaction((trx) => enqueue(trx, schema, { topic, type: 'payment.succeeded', key: 'order-42', payload: { orderId: 'order-42' } }));

    const doomed = spawnRelayProcess(schema, crashAt);
    const reached = await messageFrom(doomed, 'reached');
    assert.equal(reached.ids, [event.id]);
    if (crashAt === 'after-publish') await eventually(() => outcomes.length === 1, 30_000);
    assert.is(await pendingRows(schema), 1, 'the relay has not committed: the row is still pending');
    doomed.kill('SIGKILL');
    const [, signal] = await once(doomed, 'exit');
    assert.is(signal, 'SIGKILL');

    const restarted = spawnRelayProcess(schema);
    await eventually(async () => (await pendingRows(schema)) === 0 && outcomes.length === expectedDeliveries, 30_000);
    restarted.send('stop');
    const [code] = await once(restarted, 'exit');
    assert.is(code, 0);

    const expected = [`${event.id}:applied`, ...Array<string>(expectedDeliveries - 1).fill(`${event.id}:duplicate`)];
    assert.equal(outcomes, expected, 'every copy the broker delivered, applied once');
    assert.is((await database.db(`${schema}.confirmations`).where({ event_id: event.id })).length, 1, 'applied exactly once');
    assert.is((await database.db(`${schema}.inbox`).where({ consumer: 'booking', event_id: event.id })).length, 1);
    await eventually(async () => (await metricValue(kafkaMetrics, 'ticketping_bus_handled_total', { topic, group, outcome: 'duplicate' })) === expectedDeliveries - 1);
  });
}

test.run();
