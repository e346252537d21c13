/**
 * The Kafka client every service runs, as the bus builds it (packages/bus): an admin, an idempotent
 * producer and one consumer group on a topic, connected and with one event through, so the
 * measurements below see a client in the state a service leaves it between events.
 */
import { randomUUID } from 'node:crypto';
import { createKafkaBus, type Bus, type BusEvent, type Subscription } from '@ticketping/bus';
import { createLogger } from '@ticketping/logger';
import { eventually } from '@ticketping/testing';

export interface ConnectedClient {
  bus: Bus;
  topic: string;
  /** Event ids the consumer handled, in order. */
  received: string[];
  /** Publishes one event and resolves once the consumer has handled it. */
  roundTrip(): Promise<void>;
  close(): Promise<void>;
}

export function newEvent(): BusEvent {
  return { id: randomUUID(), type: 'bench.idle', key: randomUUID(), payload: { at: Date.now() }, occurredAt: new Date().toISOString() };
}

export async function connectClient(brokers: string[], topicPrefix: string): Promise<ConnectedClient> {
  const logger = createLogger({ service: 'kafka-idle', level: 'warn' });
  const bus = createKafkaBus({ clientId: 'kafka-idle', brokers, logger, topicPrefix });
  const topic = 'idle';
  const received: string[] = [];
  let subscription: Subscription | undefined;
  const client: ConnectedClient = {
    bus,
    topic,
    received,
    async roundTrip() {
      const event = newEvent();
      await bus.publish(topic, [event]);
      await eventually(() => received.includes(event.id), 30_000, 20);
    },
    async close() {
      await subscription?.stop();
      await bus.close();
    },
  };
  try {
    await bus.ready();
    subscription = await bus.subscribe({ group: 'idle', topics: [topic], handle: async (event) => void received.push(event.id) });
    await client.roundTrip();
    return client;
  } catch (error) {
    await client.close();
    throw error;
  }
}
