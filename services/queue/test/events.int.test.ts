import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createKafkaBus, createMemoryBus, type Bus, type BusEvent } from '@ticketping/bus';
import { createMetrics } from '@ticketping/metrics';
import { createRedis, type RedisClient } from '@ticketping/redis';
import { eventually, randomPrefix, testEnv } from '@ticketping/testing';
import { createService, type QueueService } from '../src/service.ts';
import { dropQueues, quietLogger, testConfig } from './helpers.ts';

// The consumer wired to both buses: in memory (standalone) and a real Kafka broker.
let redis: RedisClient;
const running: Array<{ bus: Bus; queue: QueueService }> = [];
const queues: string[] = [];

test.before(async () => {
  redis = createRedis({ url: testEnv.redisUrl });
});

test.after(async () => {
  for (const { bus, queue } of running) {
    await queue.stop();
    await bus.close();
  }
  await dropQueues(redis, queues);
  await redis.quit();
});

const envelope = (type: string, key: string, payload: unknown): BusEvent => ({ id: randomUUID(), type, key, payload, occurredAt: new Date().toISOString() });

async function scenario(bus: Bus): Promise<void> {
  const logger = quietLogger();
  const queue = await createService({ config: testConfig(), logger, metrics: createMetrics('queue', { defaultMetrics: false }), redis, bus });
  running.push({ bus, queue });
  await queue.start();

  const performanceId = randomUUID();
  queues.push(performanceId);
  await bus.publish('catalog.performances', [envelope('performance.published', performanceId, {
    performanceId, title: 'Hamlet', bookingOpensAt: new Date(Date.now() - 1000).toISOString(), bookingClosesAt: new Date(Date.now() + 3_600_000).toISOString(),
    maxSeatsPerOrder: 4, queue: { capacity: 1, admitPerMinute: 600 }, totalSeats: 50, schedules: [],
  })]);
  await eventually(() => queue.store.describe(performanceId), 30_000);

  const [a, b] = [randomUUID(), randomUUID()];
  assert.is((await queue.room.enter(performanceId, a)).status, 'ADMITTED');
  assert.is((await queue.room.enter(performanceId, b)).status, 'WAITING');
  const orderId = randomUUID();
  await bus.publish('booking.orders', [envelope('order.confirmed', orderId, { orderId, userId: a, performanceId, scheduleId: randomUUID(), seatIds: ['s1'], paymentId: randomUUID() })]);
  await eventually(async () => (await queue.room.status(performanceId, b)).status === 'ADMITTED', 30_000);

  await bus.publish('booking.performances', [envelope('performance.sold-out', performanceId, { performanceId })]);
  await eventually(async () => (await queue.room.summary(performanceId)).state === 'SOLD_OUT', 30_000);
}

test('in-memory bus: published creates the room, confirmed frees the slot, sold-out closes it', async () => {
  await scenario(createMemoryBus({ logger: quietLogger() }));
});

test('a cancelled performance closes its waiting room: newcomers are refused, waiting fans learn it', async () => {
  const queue = await createService({ config: testConfig(), logger: quietLogger(), metrics: createMetrics('queue', { defaultMetrics: false }), redis });
  const performanceId = randomUUID();
  queues.push(performanceId);
  await queue.handleEvent(envelope('performance.published', performanceId, {
    performanceId, bookingOpensAt: new Date(Date.now() - 1000).toISOString(), queue: { capacity: 1, admitPerMinute: 600 }, totalSeats: 50,
  }));
  const [admitted, waiting] = [randomUUID(), randomUUID()];
  assert.is((await queue.room.enter(performanceId, admitted)).status, 'ADMITTED');
  assert.is((await queue.room.enter(performanceId, waiting)).status, 'WAITING');

  await queue.handleEvent(envelope('performance.cancelled', performanceId, { performanceId, cancelledAt: new Date().toISOString() }));
  assert.is((await queue.room.summary(performanceId)).state, 'CLOSED');
  const polled = await queue.room.status(performanceId, waiting);
  assert.equal([polled.status, polled.reason], ['EXPIRED', 'QUEUE_CLOSED']);
  try {
    await queue.room.enter(performanceId, randomUUID());
    assert.unreachable('a newcomer got into a closed room');
  } catch (error) {
    assert.is((error as { code?: string }).code, 'QUEUE_CLOSED');
  }
});

test('Kafka: the same through a real broker', async () => {
  await scenario(createKafkaBus({ clientId: 'queue-test', brokers: testEnv.kafkaBrokers, topicPrefix: `${randomPrefix('q')}.`, logger: quietLogger() }));
});

test.run();
