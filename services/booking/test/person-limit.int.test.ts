/**
 * The per-person limit per performance: seats over every schedule and order of a performance,
 * enforced by the database (fan_seats) against parallel holds on real Postgres.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { catalogEvents, paymentEvent, placeOrder, startBooking, type Harness, type SeededPerformance } from './harness.ts';

let h: Harness;
test.before(async () => { h = await startBooking(); });
test.after(async () => { await h.close(); });

const onSchedule = (perf: SeededPerformance, n: number): SeededPerformance => ({ ...perf, scheduleId: perf.schedules[n]!.scheduleId });
const seatsOf = (perf: SeededPerformance, n: number) => perf.schedules[n]!.seatIds;

test('without a per-person setting the limit is maxSeatsPerOrder over all schedules; a cancelled order gives its seats back', async () => {
  const perf = await h.seed({ seats: 10, schedules: 2, maxSeatsPerOrder: 2 });
  const fan = randomUUID();
  const first = await placeOrder(h, fan, onSchedule(perf, 0), seatsOf(perf, 0).slice(0, 2));
  assert.is(first.status, 201);
  const second = await placeOrder(h, fan, onSchedule(perf, 1), seatsOf(perf, 1).slice(0, 1));
  assert.is(second.status, 409);
  assert.is(second.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  assert.equal([second.body.code, second.body.maxSeatsPerPerson, second.body.seatsHeld], ['PERSON_LIMIT_REACHED', 2, 2]);
  assert.ok(await h.db.knex('seat_holds').whereIn('seat_id', seatsOf(perf, 1)).first() === undefined, 'the refused hold left no seat held');

  const cancelled = await fetch(`${h.base}/api/v1/orders/${first.body.id}`, { method: 'DELETE', headers: await h.headers(fan) });
  assert.is(cancelled.status, 200);
  assert.is((await placeOrder(h, fan, onSchedule(perf, 1), seatsOf(perf, 1).slice(0, 2))).status, 201);
  // another fan is not affected by this fan's count
  assert.is((await placeOrder(h, randomUUID(), onSchedule(perf, 0), seatsOf(perf, 0).slice(2, 4))).status, 201);
});

test('parallel holds by one fan across schedules never pass the limit; each of many fans gets exactly what the limit allows', async () => {
  const perf = await h.seed({ seats: 40, schedules: 4, maxSeatsPerOrder: 2, maxSeatsPerPerson: 5 });
  const fans = Array.from({ length: 8 }, () => randomUUID());
  // Each fan asks for 2 seats on each of the 4 schedules at once: 8 seats wanted, 5 allowed, so 2 orders (4 seats) fit.
  const results = await Promise.all(fans.flatMap((fan, f) => perf.schedules.map((_, s) =>
    placeOrder(h, fan, onSchedule(perf, s), seatsOf(perf, s).slice(f * 2, f * 2 + 2)).then((r) => ({ fan, ...r })))));
  for (const fan of fans) {
    const mine = results.filter((r) => r.fan === fan);
    assert.equal(mine.map((r) => r.status).sort(), [201, 201, 409, 409], `fan ${fan}`);
    assert.ok(mine.filter((r) => r.status === 409).every((r) => r.body.code === 'PERSON_LIMIT_REACHED'));
  }
  const held = await h.db.knex('orders as o').join('order_seats as s', 's.order_id', 'o.id')
    .where('o.performance_id', perf.performanceId).whereIn('o.status', ['PENDING_PAYMENT', 'CONFIRMED'])
    .groupBy('o.user_id').select('o.user_id').count<Array<{ user_id: string; count: string }>>('* as count');
  assert.equal(held.map((r) => Number(r.count)), fans.map(() => 4));
});

test('confirmed orders still count; a refund gives the seats back; a lowered limit applies to the next hold', async () => {
  const { events, seeded: perf } = catalogEvents({ seats: 10, schedules: 2, maxSeatsPerOrder: 3, maxSeatsPerPerson: 4 });
  for (const event of events) await h.service.handleEvent(event);
  const fan = randomUUID();
  const order = await placeOrder(h, fan, onSchedule(perf, 0), seatsOf(perf, 0).slice(0, 3));
  assert.is(order.status, 201);
  const payment = { paymentId: randomUUID(), orderId: order.body.id, userId: fan, amount: Number(order.body.amount) };
  await h.service.handleEvent(paymentEvent('payment.succeeded', payment));
  const tooMany = await placeOrder(h, fan, onSchedule(perf, 1), seatsOf(perf, 1).slice(0, 2));
  assert.equal([tooMany.status, tooMany.body.code, tooMany.body.seatsHeld], [409, 'PERSON_LIMIT_REACHED', 3]);

  await h.service.handleEvent(paymentEvent('payment.refunded', payment));
  // catalog lowers the limit to 1: the republished performance is the new rule
  const republished = events[0]!;
  await h.service.handleEvent({ ...republished, id: randomUUID(), payload: { ...(republished.payload as object), maxSeatsPerPerson: 1 } });
  const lowered = await placeOrder(h, fan, onSchedule(perf, 1), seatsOf(perf, 1).slice(0, 2));
  assert.equal([lowered.status, lowered.body.maxSeatsPerPerson], [409, 1]);
});

test.run();
