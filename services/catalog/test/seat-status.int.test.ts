import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BusEvent } from '@ticketping/bus';
import { eventually } from '@ticketping/testing';
import { createPerformance, seatMap, startCatalog, startReplica, type Harness, type PerformanceView } from './harness.ts';

let h: Harness;
let performance: PerformanceView;
let scheduleId: string;
let seatIds: string[];

test.before(async () => {
  h = await startCatalog();
  performance = await createPerformance(h);
  scheduleId = performance.schedules[0]!.id;
  seatIds = (await seatMap(h, scheduleId)).map((s) => s.id);
});
test.after(async () => { await h.close(); });

function orderEvent(type: string, orderId: string, seats: string[], schedule = scheduleId): BusEvent {
  return { id: randomUUID(), type, key: orderId, occurredAt: new Date().toISOString(), payload: { orderId, userId: randomUUID(), performanceId: performance.id, scheduleId: schedule, seatIds: seats } };
}

async function statuses(ids: string[]): Promise<string[]> {
  const byId = new Map((await seatMap(h, scheduleId)).map((s) => [s.id, s.status]));
  return ids.map((id) => byId.get(id) ?? 'missing');
}

/** Delivers each event twice, as at-least-once delivery may; the second must change nothing. */
async function deliverTwice(event: BusEvent): Promise<void> {
  assert.is(await h.service.handleEvent(event), 'applied');
  const after = await statuses(seatIds);
  assert.is(await h.service.handleEvent(structuredClone(event)), 'duplicate');
  assert.equal(await statuses(seatIds), after, `${event.type} delivered twice changed nothing`);
}

test('an order holds, sells and, refunded, frees its seats; each event delivered twice changes nothing', async () => {
  const orderId = randomUUID();
  const mine = seatIds.slice(0, 2);
  await deliverTwice(orderEvent('order.created', orderId, mine));
  assert.equal(await statuses(mine), ['HELD', 'HELD']);
  assert.equal(await statuses([seatIds[2]!]), ['AVAILABLE'], 'other seats untouched');
  await deliverTwice(orderEvent('order.confirmed', orderId, mine));
  assert.equal(await statuses(mine), ['SOLD', 'SOLD']);
  await deliverTwice(orderEvent('order.refunded', orderId, mine));
  assert.equal(await statuses(mine), ['AVAILABLE', 'AVAILABLE']);
});

test('cancelled and expired orders free their seats', async () => {
  for (const ending of ['order.cancelled', 'order.expired']) {
    const orderId = randomUUID();
    const mine = seatIds.slice(3, 5);
    await deliverTwice(orderEvent('order.created', orderId, mine));
    assert.equal(await statuses(mine), ['HELD', 'HELD']);
    await deliverTwice(orderEvent(ending, orderId, mine));
    assert.equal(await statuses(mine), ['AVAILABLE', 'AVAILABLE'], ending);
  }
});

test('a seat handed from a released order to a waitlist offer stays HELD on the seat map, in whichever order the two topics deliver', async () => {
  const seat = [seatIds[18]!];
  const [orderId, offerId, claimedOrderId] = [randomUUID(), randomUUID(), randomUUID()];
  const offer = (type: string) => ({
    id: randomUUID(), type, key: scheduleId, occurredAt: new Date().toISOString(),
    payload: { offerId, entryId: randomUUID(), userId: randomUUID(), performanceId: performance.id, scheduleId, seatIds: seat, source: 'order.expired', expiresAt: new Date().toISOString(), orderId: null },
  });
  await h.service.handleEvent(orderEvent('order.created', orderId, seat));
  await deliverTwice(offer('waitlist.offer-made'));
  await h.service.handleEvent(orderEvent('order.expired', orderId, seat));
  assert.equal(await statuses(seat), ['HELD'], 'offered, not on sale');
  // The offer's claim (booking.waitlist) may arrive before or after its order (booking.orders).
  await h.service.handleEvent(offer('waitlist.offer-claimed'));
  await h.service.handleEvent(orderEvent('order.created', claimedOrderId, seat));
  await h.service.handleEvent(orderEvent('order.confirmed', claimedOrderId, seat));
  assert.equal(await statuses(seat), ['SOLD']);

  const lapsed = [seatIds[19]!];
  const lapsedOffer = { ...offer('waitlist.offer-made'), payload: { ...offer('x').payload, offerId: randomUUID(), seatIds: lapsed } };
  await h.service.handleEvent(lapsedOffer);
  assert.equal(await statuses(lapsed), ['HELD']);
  await h.service.handleEvent({ ...lapsedOffer, id: randomUUID(), type: 'waitlist.offer-expired' });
  assert.equal(await statuses(lapsed), ['AVAILABLE'], 'nobody else waited: back on sale');
});

test('the same facts in any order give the same seat status', async () => {
  const seat = [seatIds[6]!];
  const a = randomUUID();
  const b = randomUUID();
  // B took the seat after A expired, but B's event (another partition) arrives first.
  await h.service.handleEvent(orderEvent('order.created', b, seat));
  await h.service.handleEvent(orderEvent('order.created', a, seat));
  await h.service.handleEvent(orderEvent('order.expired', a, seat));
  assert.equal(await statuses(seat), ['HELD'], 'B still holds it');
  // A late copy of an order's own earlier event (new id, e.g. republished) never moves it back.
  await h.service.handleEvent(orderEvent('order.confirmed', b, seat));
  await h.service.handleEvent(orderEvent('order.created', b, seat));
  await h.service.handleEvent(orderEvent('order.created', a, seat));
  assert.equal(await statuses(seat), ['SOLD']);
});

test('events racing each other on the same seats apply without deadlock or lost updates', async () => {
  const seats = seatIds.slice(7, 12);
  const orders = Array.from({ length: 8 }, () => randomUUID());
  const events = orders.flatMap((orderId, i) => [orderEvent('order.created', orderId, [...seats].reverse().slice(0, 3 + (i % 3))), orderEvent('order.expired', orderId, seats)]);
  const survivor = randomUUID();
  events.push(orderEvent('order.created', survivor, seats));
  await Promise.all(events.map((e) => h.service.handleEvent(e)));
  assert.equal(await statuses(seats), seats.map(() => 'HELD'), 'only the live order holds them');
});

test('seats of another schedule and unknown seats are ignored; a malformed event is rejected and not recorded', async () => {
  const other = performance.schedules[1]!.id;
  const before = await statuses(seatIds);
  await h.service.handleEvent(orderEvent('order.created', randomUUID(), [seatIds[13]!], other));
  await h.service.handleEvent(orderEvent('order.created', randomUUID(), [randomUUID()]));
  assert.equal(await statuses(seatIds), before);
  const malformed = { ...orderEvent('order.created', randomUUID(), []), payload: { orderId: 'nope' } };
  try {
    await h.service.handleEvent(malformed);
    assert.unreachable('a malformed event must fail so the bus retries and then dead-letters it');
  } catch (error) {
    assert.not.instance(error, assert.Assertion);
  }
  assert.is((await h.db.knex('inbox').where({ event_id: malformed.id })).length, 0, 'not marked handled');
  assert.is(await h.service.handleEvent(orderEvent('order.refund-requested', randomUUID(), [seatIds[0]!])), 'applied', 'other order events are acknowledged');
});

test('performance.sold-out shows in the public reads', async () => {
  const event: BusEvent = { id: randomUUID(), type: 'performance.sold-out', key: performance.id, occurredAt: new Date().toISOString(), payload: { performanceId: performance.id } };
  await h.service.handleEvent(event);
  await h.service.handleEvent(event);
  const detail = (await (await h.call(`/api/v1/performances/${performance.id}`)).json()) as PerformanceView;
  assert.is(detail.status, 'SOLD_OUT');
});

test('another replica, which did not consume the event, shows a hold within 1 s', async () => {
  const replica = await startReplica({ db: h.db, bus: h.bus });
  try {
    const seat = seatIds[15]!;
    const read = async () => (await seatMap(replica, scheduleId)).find((s) => s.id === seat)?.status;
    assert.is(await read(), 'AVAILABLE', 'the replica has the map cached');
    const started = Date.now();
    await h.service.handleEvent(orderEvent('order.created', randomUUID(), [seat]));
    await eventually(async () => (await read()) === 'HELD', 1000, 20);
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 1000, `took ${elapsed} ms`);
  } finally {
    await replica.close();
  }
});

test.run();
