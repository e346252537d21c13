import { fork } from 'node:child_process';
import path from 'node:path';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis';
import { createLogger } from '@ticketping/logger';
import { eventually, randomPrefix, testEnv } from '@ticketping/testing';
import { createBus, createRedisStreamsBus, deadLetterTopic, DLQ_HEADERS, type Bus, type BusEvent } from '../src/index.ts';
import { busContract, newEvent, newTopic } from './contract.ts';

const logger = createLogger({ service: 'bus-test', level: 'warn' });
const topicPrefix = `${randomPrefix('bus')}.`;
const busFor = (consumerName: string, visibilityTimeoutMs = 30_000) =>
  createRedisStreamsBus({ url: testEnv.redisUrl, consumerName, logger, topicPrefix, visibilityTimeoutMs });

const test = busContract({ keysAtOnce: true, name: 'redis-streams', timeoutMs: 10_000, createBus: (registry) => createRedisStreamsBus({ url: testEnv.redisUrl, consumerName: 'contract', logger, metrics: registry, topicPrefix }) });

const raw = new Redis(testEnv.redisUrl);
const opened: Bus[] = [];
const open = (bus: Bus) => (opened.push(bus), bus);

test.after(async () => {
  await Promise.all(opened.map((bus) => bus.close()));
  const keys = await raw.keys(`bus:${topicPrefix}*`);
  if (keys.length) await raw.del(...keys);
  raw.disconnect();
});

test('createBus picks Redis Streams when given a Redis url and no brokers', async () => {
  const bus = open(createBus({ redisUrl: testEnv.redisUrl, clientId: 'picked', topicPrefix, logger }));
  const topic = newTopic();
  await bus.publish(topic, [newEvent('k', {})]);
  assert.is(await raw.xlen(`bus:${topicPrefix}${topic}`), 1);
});

test('events published while no process consumes are delivered to a process started later (a new bus, as after a restart)', async () => {
  const topic = newTopic();
  const publisher = open(busFor('publisher'));
  const sent = [newEvent('order-1', { n: 1 }), newEvent('order-1', { n: 2 })];
  await publisher.publish(topic, sent);
  await publisher.close();

  const received: BusEvent[] = [];
  const consumer = open(busFor('late'));
  await consumer.subscribe({ group: 'late', topics: [topic], handle: async (event) => void received.push(event) });
  await eventually(() => received.length === 2, 10_000);
  assert.equal(received.map((e) => e.id), sent.map((e) => e.id));
});

/** A member in its own process that takes the first event and hangs in its handler until killed. */
async function hangingMember(name: string, group: string, topic: string, visibilityMs: number) {
  const child = fork(path.join(import.meta.dirname, 'streams-member-process.ts'), {
    execArgv: ['--conditions=source'],
    env: { ...process.env, MEMBER_REDIS_URL: testEnv.redisUrl, MEMBER_NAME: name, MEMBER_GROUP: group, MEMBER_TOPIC: topic, MEMBER_TOPIC_PREFIX: topicPrefix, MEMBER_VISIBILITY_MS: String(visibilityMs) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const messages: Array<{ subscribed?: boolean; received?: string }> = [];
  child.on('message', (m) => messages.push(m as (typeof messages)[number]));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await eventually(() => messages.some((m) => m.subscribed), 20_000);
  return {
    received: (id: string) => eventually(() => messages.some((m) => m.received === id), 10_000),
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

const pendingCount = async (topic: string, group: string) => Number((await raw.xpending(`bus:${topicPrefix}${topic}`, `${topicPrefix}${group}`))[0]);

test('a process killed with -9 mid-handler: its restart under the same name gets the entry again first', async () => {
  const topic = newTopic();
  const crashing = await hangingMember('booking', 'confirmer', topic, 30_000);
  const paid = newEvent('order-5', { paid: true });
  await open(busFor('payment')).publish(topic, [paid]);
  await crashing.received(paid.id);
  await crashing.kill();
  assert.is(await pendingCount(topic, 'confirmer'), 1, 'delivered, not acknowledged');

  // The restarted process takes it back at once, without waiting out the visibility timeout.
  const restarted = open(busFor('booking'));
  const received: string[] = [];
  await restarted.subscribe({ group: 'confirmer', topics: [topic], handle: async (event) => void received.push(event.id) });
  await eventually(() => received.includes(paid.id), 5_000);
  await eventually(async () => (await pendingCount(topic, 'confirmer')) === 0, 5_000);
  assert.equal(received, [paid.id]);
});

test('an entry a killed member left unacknowledged is claimed by another member after the visibility timeout', async () => {
  const topic = newTopic();
  const gone = await hangingMember('gone-replica', 'shared', topic, 1_000);
  const event = newEvent('order-6', {});
  await open(busFor('publisher')).publish(topic, [event]);
  await gone.received(event.id);
  await gone.kill();
  const killedAt = Date.now();

  const survivor = open(busFor('survivor', 1_000));
  const received: string[] = [];
  await survivor.subscribe({ group: 'shared', topics: [topic], handle: async (e) => void received.push(e.id) });
  await eventually(() => received.includes(event.id), 10_000);
  assert.ok(Date.now() - killedAt >= 900, 'not before the entry sat idle for the visibility timeout');
  await eventually(async () => (await pendingCount(topic, 'shared')) === 0, 5_000);
});

test('a live member that works on an entry longer than the visibility timeout keeps it', async () => {
  const topic = newTopic();
  const slow = open(busFor('slow', 600));
  const other = open(busFor('other', 600));
  const calls: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await slow.subscribe({ group: 'work', topics: [topic], handle: async () => { calls.push('slow'); await released; } });
  await slow.publish(topic, [newEvent('k', {})]);
  await eventually(() => calls.length === 1, 10_000);
  await other.subscribe({ group: 'work', topics: [topic], handle: async () => void calls.push('other') });
  // Three visibility timeouts: an entry that was not renewed would have been claimed by now.
  await eventually(async () => Number((await raw.xinfo('CONSUMERS', `bus:${topicPrefix}${topic}`, `${topicPrefix}work`) as unknown[]).length) === 2, 5_000);
  const deadline = Date.now() + 1_800;
  while (Date.now() < deadline) {
    assert.equal(calls, ['slow']);
    await new Promise((r) => setTimeout(r, 100));
  }
  release();
  await eventually(async () => (await pendingCount(topic, 'work')) === 0, 5_000);
  assert.equal(calls, ['slow']);
});

test('a stream wiped with its group (Redis lost its data): the member creates the group again and keeps receiving', async () => {
  const topic = newTopic();
  const bus = open(busFor('wiped'));
  const received: string[] = [];
  await bus.subscribe({ group: 'rebuilt', topics: [topic], handle: async (event) => void received.push(event.id) });
  const before = newEvent('k', { n: 1 });
  await bus.publish(topic, [before]);
  await eventually(() => received.includes(before.id), 10_000);
  await raw.del(`bus:${topicPrefix}${topic}`);
  const after = newEvent('k', { n: 2 });
  await bus.publish(topic, [after]);
  await eventually(() => received.includes(after.id), 10_000);
  assert.equal(received, [before.id, after.id]);
});

test('an entry that is not a bus event goes straight to <topic>.dlq, untouched', async () => {
  const topic = newTopic();
  const bus = open(busFor('strict'));
  let handled = 0;
  await bus.subscribe({ group: 'strict', topics: [topic], handle: async () => void handled++ });
  await raw.xadd(`bus:${topicPrefix}${topic}`, '*', 'k', 'k', 'v', 'this is not json', 'h', '{}');
  const rawDead = await eventually(async () => {
    const entries = await raw.xrange(`bus:${topicPrefix}${deadLetterTopic(topic)}`, '-', '+');
    return entries.length > 0 ? entries : undefined;
  }, 10_000);
  const fields = rawDead[0]![1];
  const valueAt = fields.indexOf('v') + 1;
  const headers = JSON.parse(fields[fields.indexOf('h') + 1]!) as Record<string, string>;
  assert.is(fields[valueAt], 'this is not json');
  assert.match(headers[DLQ_HEADERS.error] ?? '', 'SyntaxError');
  assert.is(headers[DLQ_HEADERS.attempts], '1');
  assert.is(handled, 0);
});

test.run();
