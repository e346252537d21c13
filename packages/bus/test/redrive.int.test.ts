/**
 * Redrive on the real broker, with the real inbox on Postgres: dead letters go back to their
 * topic filtered by time and group, and redriving the same ones again applies nothing twice.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger } from '@ticketping/logger';
import { client } from '@ticketping/metrics';
import { eventually, randomPrefix, testEnv } from '@ticketping/testing';
import { DLQ_HEADERS, PermanentDeliveryError, createKafkaBus, deadLetterTopic, handleOnce, type BusEvent, type RedrivableBus, type Subscription } from '../src/index.ts';
import { metricValue, newEvent, newTopic } from './contract.ts';
import { freshDatabase, type FreshDatabase } from './fresh-database.ts';

const logger = createLogger({ service: 'bus-test', level: 'error' });
const topicPrefix = `${randomPrefix('redrive')}.`;
const registry = new client.Registry();
let bus: RedrivableBus;
let database: FreshDatabase;
let schema: string;
const subscriptions: Subscription[] = [];

test.before(async () => {
  database = await freshDatabase('bus_redrive');
  schema = await database.newSchema();
  await database.db.schema.withSchema(schema).createTable('applied', (t) => {
    t.text('consumer').notNullable();
    t.uuid('event_id').notNullable(); // not unique on purpose: a second apply would show
  });
  bus = createKafkaBus({ clientId: 'redrive-test', brokers: testEnv.kafkaBrokers, logger, metrics: registry, topicPrefix });
});

test.after(async () => {
  for (const s of subscriptions) await s.stop();
  await bus.close();
  await database.drop();
});

const applied = async (consumer: string) =>
  (await database.db(`${schema}.applied`).where({ consumer }).select('event_id')).map((r: { event_id: string }) => r.event_id).sort();

/** A consumer applying events through its inbox; `broken()` makes it reject them as permanent failures. */
async function consumer(name: string, topic: string, broken: () => boolean = () => false) {
  subscriptions.push(await bus.subscribe({
    group: name,
    topics: [topic],
    handle: (event: BusEvent) =>
      handleOnce(database.db, schema, name, event, async (trx) => {
        if (broken()) throw new PermanentDeliveryError('confirmation rule rejects it (a bug, fixed later)');
        await trx(`${schema}.applied`).insert({ consumer: name, event_id: event.id });
      }),
  }));
}

const repoRoot = path.resolve(import.meta.dirname, '../../..');
async function redriveCli(args: string[]): Promise<{ redriven: number; scanned: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=source', 'packages/bus/src/redrive-cli.ts', ...args], {
    cwd: repoRoot, env: { ...process.env, KAFKA_BROKERS: testEnv.kafkaBrokers.join(','), KAFKA_TOPIC_PREFIX: topicPrefix },
  });
  return JSON.parse(stdout) as { redriven: number; scanned: number };
}

test('dead letters go back by time and group; a second redrive applies nothing twice; the other groups see no duplicate effect', async () => {
  const topic = newTopic();
  let bug = true;
  await consumer('confirmer', topic, () => bug);
  await consumer('bystander', topic);
  const deadLettered = () => metricValue(registry, 'ticketping_bus_dead_letter_total', { topic, group: 'confirmer' });

  const early = newEvent('order-1', { n: 1 });
  await bus.publish(topic, [early]);
  await eventually(async () => (await deadLettered()) === 1, 30_000);
  await new Promise((resolve) => setTimeout(resolve, 20)); // a clear boundary between the two failures' timestamps
  const boundary = new Date();
  const late = [newEvent('order-2', { n: 2 }), newEvent('order-3', { n: 3 })];
  await bus.publish(topic, late);
  await eventually(async () => (await deadLettered()) === 3, 30_000);
  await eventually(async () => (await applied('bystander')).length === 3, 30_000);
  bug = false; // the fix is deployed

  const nobody = await bus.redrive({ topic, group: 'someone-else' });
  assert.equal({ scanned: nobody.scanned, redriven: nobody.redriven }, { scanned: 3, redriven: 0 }, 'the group filter');
  const dry = await bus.redrive({ topic, since: boundary, dryRun: true });
  assert.is(dry.redriven, 2);

  const recent = await bus.redrive({ topic, since: boundary });
  assert.equal(recent.eventIds.sort(), late.map((e) => e.id).sort());
  await eventually(async () => (await applied('confirmer')).length === 2, 30_000);

  const older = await redriveCli(['--topic', topic, '--until', boundary.toISOString()]);
  assert.equal({ scanned: older.scanned, redriven: older.redriven }, { scanned: 3, redriven: 1 });
  await eventually(async () => (await applied('confirmer')).length === 3, 30_000);

  // Everything again, twice: every copy is a duplicate for both groups.
  const duplicates = () => metricValue(registry, 'ticketping_bus_handled_total', { topic, outcome: 'duplicate' });
  const before = await duplicates();
  assert.is((await bus.redrive({ topic })).redriven, 3);
  assert.is((await bus.redrive({ topic })).redriven, 3);
  await eventually(async () => (await duplicates()) - before === 12, 30_000); // 2 redrives × 3 events × 2 groups
  const all = [early, ...late].map((e) => e.id).sort();
  assert.equal(await applied('confirmer'), all, 'each event applied exactly once by the group that dead-lettered it');
  assert.equal(await applied('bystander'), all, 'and once by the group that had handled it');
  assert.is(await deadLettered(), 3, 'nothing failed again');
});

test('a redriven message is the original: same key, value and trace, without the failure headers', async () => {
  const topic = newTopic();
  let bug = true;
  const seen: BusEvent[] = [];
  subscriptions.push(await bus.subscribe({
    group: 'inspector',
    topics: [topic],
    handle: async (event) => {
      if (bug) throw new PermanentDeliveryError('not yet');
      seen.push(event);
    },
  }));
  const original = { ...newEvent(`order-${randomUUID()}`, { seats: ['A1'] }), headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } };
  await bus.publish(topic, [original]);
  await eventually(async () => (await metricValue(registry, 'ticketping_bus_dead_letter_total', { topic })) === 1, 30_000);
  bug = false;
  await bus.redrive({ topic });
  const [back] = await eventually(() => (seen.length ? seen : undefined), 30_000);
  assert.equal({ id: back!.id, key: back!.key, payload: back!.payload }, { id: original.id, key: original.key, payload: original.payload });
  assert.is(back!.headers?.traceparent, original.headers.traceparent);
  assert.ok(back!.headers?.[DLQ_HEADERS.redrivenAt]);
  for (const name of [DLQ_HEADERS.error, DLQ_HEADERS.attempts, DLQ_HEADERS.group, DLQ_HEADERS.reason]) assert.is(back!.headers?.[name], undefined, name);
  assert.is(deadLetterTopic(topic), `${topic}.dlq`);
});

test.run();
