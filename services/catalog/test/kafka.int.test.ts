import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createKafkaBus, type Bus, type BusEvent, type Subscription } from '@ticketping/bus';
import { createLogger } from '@ticketping/logger';
import { client } from '@ticketping/metrics';
import { eventually, randomPrefix, testEnv } from '@ticketping/testing';
import { ADMIN, FAN, createPerformance, seatMap, startCatalog, type Harness, type PerformanceView } from './harness.ts';

// Every topic and group of this suite lives under its own prefix on the shared broker.
const topicPrefix = `${randomPrefix('catalog')}.`;
const logger = createLogger({ service: 'catalog-test', level: 'warn', destination: new Writable({ write(_c, _e, done) { done(); } }) });
const catalogBusMetrics = new client.Registry();
const kafkaBus = (clientId: string, metrics?: client.Registry) => createKafkaBus({ clientId, brokers: testEnv.kafkaBrokers, logger, topicPrefix, partitions: 3, ...(metrics ? { metrics } : {}) });

let h: Harness;
let booking: Bus;
let observer: Subscription;
const published: BusEvent[] = [];
const deadLettered: BusEvent[] = [];
let performance: PerformanceView;

test.before(async () => {
  booking = kafkaBus('booking-fake');
  observer = await booking.subscribe({
    group: 'observer',
    topics: ['catalog.performances', 'booking.orders.dlq'],
    handle: async (event, topic) => {
      (topic.endsWith('.dlq') ? deadLettered : published).push(event);
    },
  });
  h = await startCatalog({ bus: kafkaBus('catalog', catalogBusMetrics) });
});

test.after(async () => {
  await observer?.stop();
  await booking?.close();
  await h?.close();
});

test('a created performance reaches Kafka through the outbox with every seat of every schedule', async () => {
  performance = await createPerformance(h, { sections: [{ name: 'Stalls', rows: 20, seatsPerRow: 30, grade: 'S', price: 99000, currency: 'KRW' }, { name: 'Box', rows: 2, seatsPerRow: 4, grade: 'VIP', price: 250000, currency: 'KRW' }] });
  const expectedSeatEvents = performance.schedules.length * Math.ceil(608 / 500);
  await eventually(() => published.filter((e) => e.key === performance.id).length === 1 + expectedSeatEvents, 15_000);
  const mine = published.filter((e) => e.key === performance.id);
  assert.is(mine[0]?.type, 'performance.published', 'the performance comes before its seats (same key, same partition)');
  assert.is((mine[0]?.payload as { totalSeats: number }).totalSeats, 2 * 608);
  for (const schedule of performance.schedules) {
    const seats = mine.filter((e) => e.type === 'seats.published' && (e.payload as { scheduleId: string }).scheduleId === schedule.id).flatMap((e) => (e.payload as { seats: { seatId: string; section: string; price: number }[] }).seats);
    const map = await seatMap(h, schedule.id);
    assert.equal(seats.map((s) => s.seatId).sort(), map.map((s) => s.id).sort());
    assert.ok(seats.every((s) => s.price === (s.section === 'Box' ? 250000 : 99000)));
  }
});

async function statusOf(scheduleId: string, seatId: string): Promise<string | undefined> {
  return (await seatMap(h, scheduleId)).find((s) => s.id === seatId)?.status;
}

test('order events from Kafka move the seat map within 1 s; a redelivered event changes nothing', async () => {
  const scheduleId = performance.schedules[1]!.id;
  const [first, second] = (await seatMap(h, scheduleId)).map((s) => s.id);
  const orderId = randomUUID();
  const event = (type: string, seatIds: string[]): BusEvent => ({ id: randomUUID(), type, key: orderId, occurredAt: new Date().toISOString(), payload: { orderId, userId: randomUUID(), performanceId: performance.id, scheduleId, seatIds } });

  const created = event('order.created', [first!, second!]);
  const sentAt = Date.now();
  await booking.publish('booking.orders', [created]);
  await eventually(async () => (await statusOf(scheduleId, first!)) === 'HELD', 5_000, 20);
  const heldAfterMs = Date.now() - sentAt;
  assert.ok(heldAfterMs < 1000, `HELD after ${heldAfterMs} ms`);

  await booking.publish('booking.orders', [created]);
  await eventually(async () => ((await catalogBusMetrics.getSingleMetricAsString('ticketping_bus_handled_total')).match(/outcome="duplicate"} (\d+)/)?.[1] ?? '0') === '1', 10_000);
  const confirmed = event('order.confirmed', [first!, second!]);
  await booking.publish('booking.orders', [confirmed, confirmed]);
  await eventually(async () => (await statusOf(scheduleId, second!)) === 'SOLD', 5_000, 20);
  assert.equal([await statusOf(scheduleId, first!), await statusOf(scheduleId, second!)], ['SOLD', 'SOLD']);
});

test('a malformed order event is retried, then dead-lettered without stopping the others', async () => {
  const scheduleId = performance.schedules[0]!.id;
  const seatId = (await seatMap(h, scheduleId))[5]!.id;
  const poison: BusEvent = { id: randomUUID(), type: 'order.created', key: 'poison', occurredAt: new Date().toISOString(), payload: { orderId: 'not-a-uuid' } };
  const orderId = randomUUID();
  await booking.publish('booking.orders', [poison, { id: randomUUID(), type: 'order.created', key: orderId, occurredAt: new Date().toISOString(), payload: { orderId, userId: randomUUID(), performanceId: performance.id, scheduleId, seatIds: [seatId] } }]);
  await eventually(async () => (await statusOf(scheduleId, seatId)) === 'HELD', 15_000);
  await eventually(() => deadLettered.some((e) => e.id === poison.id), 20_000);
});

test('an administrator redrives dead letters through the admin API; anyone else is refused, bad input is a 400', async () => {
  const poison: BusEvent = { id: randomUUID(), type: 'order.created', key: 'poison-2', occurredAt: new Date().toISOString(), payload: { orderId: 'still-not-a-uuid' } };
  await booking.publish('booking.orders', [poison]);
  await eventually(() => deadLettered.some((e) => e.id === poison.id), 20_000);
  const redrive = (body: unknown, headers: Record<string, string> = ADMIN) => h.call('/api/v1/admin/dead-letters/redrive', { body, headers });

  const fan = await redrive({ topic: 'booking.orders' }, FAN);
  assert.is(fan.status, 403);
  assert.is(((await fan.json()) as { code: string }).code, 'ADMIN_ONLY');
  for (const bad of [{ topic: 'booking.orders.dlq' }, { topic: 'booking.orders', since: 'yesterday' }, { topic: 'booking.orders', since: new Date().toISOString(), until: new Date(0).toISOString() }, { topic: 'booking.orders', force: true }]) {
    const res = await redrive(bad);
    assert.is(res.status, 400, JSON.stringify(bad));
    assert.match(res.headers.get('content-type') ?? '', 'application/problem+json');
  }

  const since = new Date(Date.parse(poison.occurredAt) - 1000).toISOString();
  const res = await redrive({ topic: 'booking.orders', since, group: 'catalog' });
  assert.is(res.status, 200);
  const result = (await res.json()) as { redriven: number; eventIds: string[] };
  assert.ok(result.eventIds.includes(poison.id), 'the dead letter went back');
  // It is still invalid, so catalog dead-letters it once more: proof it was delivered again.
  await eventually(() => deadLettered.filter((e) => e.id === poison.id).length === 2, 20_000);
});

test.run();
