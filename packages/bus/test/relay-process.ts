/**
 * An outbox relay in its own process, publishing to the real Kafka broker, for the crash test in
 * outbox.int.test.ts. With RELAY_CRASH_AT=before-publish|after-publish it tells the parent when
 * it reached that point of its first batch and then hangs there, holding its claim open, until
 * the parent kills it with SIGKILL. Without it, it relays until the parent sends 'stop'.
 */
import knex from 'knex';
import { createLogger } from '@ticketping/logger';
import { createKafkaBus, startOutboxRelay, type Bus } from '../src/index.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const crashAt = process.env.RELAY_CRASH_AT as 'before-publish' | 'after-publish' | undefined;
const tellParent = (message: object) => process.send?.(message);
const hangForever = () => new Promise<never>(() => {});

const logger = createLogger({ service: 'relay-process', level: 'warn' });
const db = knex({ client: 'pg', connection: env('RELAY_DATABASE_URL'), pool: { min: 0, max: 2 } });
const kafka = createKafkaBus({ clientId: 'relay-process', brokers: env('RELAY_KAFKA_BROKERS').split(','), logger, topicPrefix: env('RELAY_TOPIC_PREFIX') });

const bus: Bus = {
  ...kafka,
  async publish(topic, events) {
    const ids = events.map((e) => e.id);
    if (crashAt === 'before-publish') {
      tellParent({ reached: crashAt, ids });
      await hangForever();
    }
    await kafka.publish(topic, events);
    if (crashAt === 'after-publish') {
      tellParent({ reached: crashAt, ids });
      await hangForever();
    }
  },
};

const relay = startOutboxRelay({ knex: db, schema: env('RELAY_SCHEMA'), bus, logger, pollIntervalMs: 50 });
tellParent({ started: true });

process.on('message', (message) => {
  if (message !== 'stop') return;
  void (async () => {
    await relay.stop();
    await kafka.close();
    await db.destroy();
    process.disconnect();
  })();
});
