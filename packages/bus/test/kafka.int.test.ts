import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import * as assert from 'uvu/assert';
import { createLogger } from '@ticketping/logger';
import { eventually, randomPrefix, testEnv } from '@ticketping/testing';
import { DLQ_HEADERS, createKafkaBus, deadLetterTopic } from '../src/index.ts';
import { busContract, metricValue, newEvent, newTopic } from './contract.ts';

const logger = createLogger({ service: 'bus-test', level: 'warn' });
const topicPrefix = `${randomPrefix('bus')}.`;

const test = busContract({ keysAtOnce: true,
  name: 'kafka',
  timeoutMs: 30_000,
  createBus: (registry) => createKafkaBus({ clientId: 'bus-contract', brokers: testEnv.kafkaBrokers, logger, metrics: registry, topicPrefix }),
});

// Kafka only: a foreign producer can write anything to a topic.
test('a message that is not a bus event goes straight to <topic>.dlq, untouched', async ({ subscribe, registry }) => {
  const topic = newTopic();
  let handled = 0;
  await subscribe({ group: 'strict', topics: [topic], handle: async () => void handled++ });

  const raw = new Kafka({ clientId: 'foreign', brokers: testEnv.kafkaBrokers, logLevel: logLevel.NOTHING });
  const producer = raw.producer();
  const consumer = raw.consumer({ groupId: `${topicPrefix}raw-dlq-reader`, maxWaitTimeInMs: 500 });
  try {
    await producer.connect();
    await producer.send({ topic: `${topicPrefix}${topic}`, messages: [{ key: 'k', value: 'this is not json' }] });
    const deadLetters: KafkaMessage[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [`${topicPrefix}${deadLetterTopic(topic)}`], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void deadLetters.push(message) });
    const [dead] = await eventually(() => (deadLetters.length > 0 ? deadLetters : undefined), 30_000);
    assert.is(dead!.value?.toString(), 'this is not json');
    assert.is(dead!.key?.toString(), 'k');
    assert.match(dead!.headers?.[DLQ_HEADERS.error]?.toString() ?? '', 'SyntaxError');
    assert.is(dead!.headers?.[DLQ_HEADERS.attempts]?.toString(), '1');
    assert.is(handled, 0);
    // Counted once the producer's ack is in, which may come after the DLQ reader saw the message.
    await eventually(async () => (await metricValue(registry, 'ticketping_bus_dead_letter_total', { topic, group: 'strict' })) === 1);
    await eventually(async () => (await metricValue(registry, 'ticketping_bus_consumer_lag', { topic, group: 'strict' })) === 0);
  } finally {
    await Promise.all([consumer.disconnect(), producer.disconnect()]);
  }
});

// Kafka only: the memory bus has one lane per topic and group, so a retry holds the whole topic.
test('while a message waits for its retries its partition is paused, and the other partitions keep flowing', async ({ bus, subscribe, registry }) => {
  const topic = newTopic();
  const blocked = newEvent('order-blocked', {});
  let outage = true;
  let blockedAttempts = 0;
  const handled: string[] = [];
  const handledDuringOutage = new Set<string>();
  await subscribe({
    group: 'isolating',
    topics: [topic],
    retryBackoffMs: 100,
    maxRetryBackoffMs: 300,
    handle: async (event) => {
      if (event.id === blocked.id) {
        blockedAttempts++;
        if (outage) throw Object.assign(new Error('Connection terminated unexpectedly'), {});
      } else if (outage) handledDuringOutage.add(event.key);
      handled.push(event.id);
    },
  });
  await bus.publish(topic, [blocked]);
  await eventually(() => blockedAttempts >= 2, 30_000);
  // 30 keys over 3 partitions: some surely land in a partition other than the blocked one.
  const others = Array.from({ length: 30 }, (_, n) => newEvent(`order-${n}`, { n }));
  await bus.publish(topic, others);
  await eventually(() => handledDuringOutage.size >= 5, 30_000);
  assert.not.ok(handled.includes(blocked.id));
  assert.ok(await metricValue(registry, 'ticketping_bus_oldest_unhandled_seconds', { topic, group: 'isolating' }) > 0);
  outage = false;
  await eventually(() => handled.length === others.length + 1, 30_000);
  assert.is(handled.filter((id) => id === blocked.id).length, 1);
  assert.is(new Set(handled).size, handled.length, 'nothing handled twice');
  assert.is(await metricValue(registry, 'ticketping_bus_dead_letter_total', { topic, group: 'isolating' }), 0);
});

test.run();
