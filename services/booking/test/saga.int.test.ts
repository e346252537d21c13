import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually } from '@ticketping/testing';
import { catalogEvents, paymentEvent, placeOrder, recordEvents, startBooking, type Harness } from './harness.ts';

let h: Harness;
let recorder: Awaited<ReturnType<typeof recordEvents>>;
let clock = Date.now();

test.before(async () => {
  h = await startBooking({ now: () => new Date(clock), env: { HOLD_SWEEP_INTERVAL_MS: '3600000' } });
  recorder = await recordEvents(h.bus, ['booking.orders', 'booking.performances']);
});
test.after(async () => {
  await recorder.stop();
  await h.close();
});

const status = async (orderId: string) => (await h.db.knex('orders').where('id', orderId).first('status')).status as string;
const eventsFor = (orderId: string) => recorder.events.filter((e) => e.key === orderId).map((e) => e.type);

test('payment.succeeded confirms the order and booking announces order.confirmed; the last seat sold announces sold out, once', async () => {
  const perf = await h.seed({ seats: 3, price: 1000 });
  const orders = await Promise.all(perf.seatIds.map(async (seat) => {
    const fan = randomUUID();
    return { fan, order: (await placeOrder(h, fan, perf, [seat])).body };
  }));
  // Confirm all three at once: exactly one confirmation sees the performance sell out.
  await Promise.all(orders.map(({ fan, order }) => h.service.handleEvent(paymentEvent('payment.succeeded', { paymentId: randomUUID(), orderId: String(order.id), userId: fan, amount: 1000 }))));
  for (const { order } of orders) assert.is(await status(order.id), 'CONFIRMED');
  await eventually(() => orders.every(({ order }) => eventsFor(order.id).join() === 'order.created,order.confirmed'));
  const soldOut = await eventually(() => recorder.of('performance.sold-out').filter((e) => e.key === perf.performanceId));
  assert.is(soldOut.length, 1);
  assert.equal(soldOut[0]!.payload, { performanceId: perf.performanceId });
  const confirmed = recorder.of('order.confirmed').find((e) => e.key === orders[0]!.order.id)!;
  assert.equal(Object.keys(confirmed.payload as object).sort(), ['orderId', 'paymentId', 'performanceId', 'scheduleId', 'seatIds', 'userId']);
});

test('a payment that succeeds after the hold expired is refunded, and the seat is never sold twice', async () => {
  const perf = await h.seed({ seats: 1, price: 1000 });
  const late = randomUUID();
  const order = (await placeOrder(h, late, perf, [perf.seatIds[0]!])).body;
  clock += (h.config.HOLD_TTL_SECONDS + h.config.HOLD_EXPIRY_GRACE_SECONDS + 1) * 1000;
  assert.is(await h.service.expireHolds(), 1);
  assert.is(await status(order.id), 'EXPIRED');
  const next = randomUUID();
  const nextOrder = (await placeOrder(h, next, perf, [perf.seatIds[0]!])).body;
  assert.is(nextOrder.status, 'PENDING_PAYMENT', 'the expired seat went to the next fan');
  const paymentId = randomUUID();
  await h.service.handleEvent(paymentEvent('payment.succeeded', { paymentId, orderId: String(order.id), userId: late, amount: 1000 }));
  assert.is(await status(order.id), 'EXPIRED', 'an expired order is never confirmed');
  const refund = await eventually(() => recorder.of('order.refund-requested').find((e) => e.key === order.id));
  assert.equal(refund.payload, { orderId: order.id, userId: late, paymentId, reason: 'ORDER_EXPIRED' });
  assert.equal(eventsFor(order.id), ['order.created', 'order.expired', 'order.refund-requested']);
  // Payment reports the refund: the expired order stays as it is.
  await h.service.handleEvent(paymentEvent('payment.refunded', { paymentId, orderId: String(order.id), userId: late, amount: 1000 }));
  assert.is(await status(order.id), 'EXPIRED');
  const holders = await h.db.knex('seat_holds').where('seat_id', perf.seatIds[0]).select('order_id');
  assert.equal(holders, [{ order_id: nextOrder.id }]);
});

test('a payment for a cancelled order is refunded; a payment for a different amount is refunded, not confirmed', async () => {
  const perf = await h.seed({ seats: 2, price: 1000 });
  const fan = randomUUID();
  const order = (await placeOrder(h, fan, perf, [perf.seatIds[0]!])).body;
  await h.service.orders.cancelOrder({ id: fan, role: 'USER' }, String(order.id));
  await h.service.handleEvent(paymentEvent('payment.succeeded', { paymentId: randomUUID(), orderId: String(order.id), userId: fan, amount: 1000 }));
  const refund = await eventually(() => recorder.of('order.refund-requested').find((e) => e.key === order.id));
  assert.is((refund.payload as { reason: string }).reason, 'ORDER_CANCELLED');

  const other = randomUUID();
  const cheap = (await placeOrder(h, other, perf, [perf.seatIds[1]!])).body;
  await h.service.handleEvent(paymentEvent('payment.succeeded', { paymentId: randomUUID(), orderId: String(cheap.id), userId: other, amount: 1 }));
  assert.is(await status(cheap.id), 'PENDING_PAYMENT');
  const mismatch = await eventually(() => recorder.of('order.refund-requested').find((e) => e.key === cheap.id));
  assert.is((mismatch.payload as { reason: string }).reason, 'AMOUNT_MISMATCH');
});

test('every event delivered twice changes nothing', async () => {
  const { events, seeded: perf } = catalogEvents({ seats: 2, price: 500 });
  for (const event of [...events, ...events]) await h.service.handleEvent(event);
  assert.is(await h.db.knex('seats').where('schedule_id', perf.scheduleId).count<{ n: number }[]>('* as n').then((r) => Number(r[0]!.n)), 2);
  const fan = randomUUID();
  const order = (await placeOrder(h, fan, perf, [perf.seatIds[0]!])).body;
  const paymentId = randomUUID();
  const succeeded = paymentEvent('payment.succeeded', { paymentId, orderId: String(order.id), userId: fan, amount: 500 });
  assert.is(await h.service.handleEvent(succeeded), 'applied');
  assert.is(await h.service.handleEvent(succeeded), 'duplicate');
  // The same fact under a new event id (a producer that re-sent it) is harmless too.
  await h.service.handleEvent({ ...succeeded, id: randomUUID() });
  const refunded = paymentEvent('payment.refunded', { paymentId, orderId: String(order.id), userId: fan, amount: 500 });
  await Promise.all([h.service.handleEvent(refunded), h.service.handleEvent(refunded)]);
  await h.service.handleEvent({ ...refunded, id: randomUUID() });
  assert.is(await status(order.id), 'REFUNDED');
  await eventually(() => eventsFor(order.id).length === 3);
  assert.equal(eventsFor(order.id), ['order.created', 'order.confirmed', 'order.refunded']);
  assert.is((await h.db.knex('performances').where('performance_id', perf.performanceId).first('sold_seats')).sold_seats, 0);
  assert.equal(await h.db.knex('seat_holds').where('seat_id', perf.seatIds[0]).select('order_id'), [], 'the refunded seat is free again');
});

test('the expiry sweeper is safe with several replicas: each order expires exactly once', async () => {
  const perf = await h.seed({ seats: 300, maxSeatsPerOrder: 1 });
  const ids = new Set<unknown>();
  for (let i = 0; i < perf.seatIds.length; i += 50) {
    const batch = await Promise.all(perf.seatIds.slice(i, i + 50).map((seat) => placeOrder(h, randomUUID(), perf, [seat])));
    for (const r of batch) ids.add(r.body.id);
  }
  const pending = Number((await h.db.knex('orders').where('status', 'PENDING_PAYMENT').count<{ n: number }[]>('* as n'))[0]!.n);
  assert.ok(pending >= 300);
  clock += (h.config.HOLD_TTL_SECONDS + h.config.HOLD_EXPIRY_GRACE_SECONDS + 1) * 1000;
  const counts = await Promise.all([h.service.expireHolds(), h.service.expireHolds(), h.service.expireHolds()]);
  assert.is(counts.reduce((a, b) => a + b, 0), pending, `replicas expired ${counts.join(' + ')} of ${pending}`);
  const expired = await eventually(() => {
    const seen = recorder.of('order.expired').filter((e) => ids.has(e.key));
    return seen.length >= 300 ? seen : undefined;
  });
  assert.is(new Set(expired.map((e) => e.key)).size, expired.length, 'one order.expired per order');
  assert.is(await h.db.knex('seat_holds').whereIn('seat_id', perf.seatIds).count<{ n: number }[]>('* as n').then((r) => Number(r[0]!.n)), 0);
});

test('an administrator refunds a confirmed order through payment; the order ends REFUNDED', async () => {
  const perf = await h.seed({ seats: 1, price: 900 });
  const fan = randomUUID();
  const order = (await placeOrder(h, fan, perf, [perf.seatIds[0]!])).body;
  const paymentId = randomUUID();
  await h.service.handleEvent(paymentEvent('payment.succeeded', { paymentId, orderId: String(order.id), userId: fan, amount: 900 }));
  await eventually(() => recorder.of('performance.sold-out').some((e) => e.key === perf.performanceId));
  const res = await fetch(`${h.base}/api/v1/orders/${String(order.id)}/refund`, { method: 'POST', headers: { ...(await h.headers(randomUUID())), 'x-user-role': 'ADMIN' }, body: '{}' });
  assert.is(res.status, 202);
  const request = await eventually(() => recorder.of('order.refund-requested').find((e) => e.key === order.id));
  assert.equal(request.payload, { orderId: order.id, userId: fan, paymentId, reason: 'REQUESTED_BY_ADMIN' });
  await h.service.handleEvent(paymentEvent('payment.refunded', { paymentId, orderId: String(order.id), userId: fan, amount: 900 }));
  assert.is(await status(order.id), 'REFUNDED');
  assert.is((await h.db.knex('performances').where('performance_id', perf.performanceId).first('sold_out_at')).sold_out_at, null, 'no longer sold out');
});

test('a cancelled performance releases its holds and refunds its paid orders, once; a payment that still lands is refunded', async () => {
  const perf = await h.seed({ seats: 3, price: 700 });
  const [paid, holding] = [randomUUID(), randomUUID()];
  const paidOrder = (await placeOrder(h, paid, perf, [perf.seatIds[0]!])).body;
  const paymentId = randomUUID();
  await h.service.handleEvent(paymentEvent('payment.succeeded', { paymentId, orderId: String(paidOrder.id), userId: paid, amount: 700 }));
  const heldOrder = (await placeOrder(h, holding, perf, [perf.seatIds[1]!])).body;

  const cancelled = (id = randomUUID()) => ({ id, type: 'performance.cancelled', key: perf.performanceId, occurredAt: new Date().toISOString(), payload: { performanceId: perf.performanceId, cancelledAt: new Date().toISOString() } });
  await h.service.handleEvent(cancelled());
  await h.service.handleEvent(cancelled()); // the same fact again under a new id settles nothing twice
  assert.is(await status(heldOrder.id), 'CANCELLED');
  assert.equal(await h.db.knex('seat_holds').where('order_id', heldOrder.id).select('seat_id'), [], 'the held seat is released');
  assert.is(await status(paidOrder.id), 'CONFIRMED', 'paid orders stay confirmed until payment has refunded them');
  const refund = await eventually(() => recorder.of('order.refund-requested').find((e) => e.key === paidOrder.id));
  assert.equal(refund.payload, { orderId: paidOrder.id, userId: paid, paymentId, reason: 'PERFORMANCE_CANCELLED' });
  await eventually(() => eventsFor(heldOrder.id).join() === 'order.created,order.cancelled');
  await h.service.handleEvent(paymentEvent('payment.refunded', { paymentId, orderId: String(paidOrder.id), userId: paid, amount: 700 }));
  assert.is(await status(paidOrder.id), 'REFUNDED');
  await eventually(() => eventsFor(paidOrder.id).length === 4);
  assert.equal(eventsFor(paidOrder.id), ['order.created', 'order.confirmed', 'order.refund-requested', 'order.refunded'], 'one refund request');

  // A hold that slipped in just before the cancellation committed, paid afterwards: refunded, never confirmed.
  const slipped = randomUUID();
  await h.db.knex('performances').where('performance_id', perf.performanceId).update({ cancelled_at: null });
  const slippedOrder = (await placeOrder(h, slipped, perf, [perf.seatIds[2]!])).body;
  await h.db.knex('performances').where('performance_id', perf.performanceId).update({ cancelled_at: new Date() });
  const latePayment = randomUUID();
  await h.service.handleEvent(paymentEvent('payment.succeeded', { paymentId: latePayment, orderId: String(slippedOrder.id), userId: slipped, amount: 700 }));
  assert.is(await status(slippedOrder.id), 'CANCELLED');
  const lateRefund = await eventually(() => recorder.of('order.refund-requested').find((e) => e.key === slippedOrder.id));
  assert.equal(lateRefund.payload, { orderId: slippedOrder.id, userId: slipped, paymentId: latePayment, reason: 'PERFORMANCE_CANCELLED' });
});

test('a poison payment event goes to the dead-letter topic, is counted, and changes nothing', async () => {
  const dlq = await recordEvents(h.bus, ['payment.payments.dlq']);
  const perf = await h.seed({ seats: 1, price: 1000 });
  const fan = randomUUID();
  const order = (await placeOrder(h, fan, perf, [perf.seatIds[0]!])).body;
  const poison = paymentEvent('payment.succeeded', { paymentId: 'not-a-uuid', orderId: order.id, userId: fan, amount: 1000 });
  await h.bus.publish('payment.payments', [poison]);
  const dead = await eventually(() => dlq.events.find((e) => e.id === poison.id), 15_000);
  assert.match(dead.headers?.['x-dlq-error'] ?? '', /paymentId/);
  assert.match(await h.metrics.registry.getSingleMetricAsString('ticketping_bus_dead_letter_total'), /group="booking"/);
  assert.is(await status(order.id), 'PENDING_PAYMENT');
  await dlq.stop();
});

test('the database refuses any other transition, whatever the code asks', async () => {
  const perf = await h.seed({ seats: 1 });
  const order = (await placeOrder(h, randomUUID(), perf, [perf.seatIds[0]!])).body;
  await h.db.knex('orders').where('id', order.id).update({ status: 'EXPIRED' });
  for (const to of ['PENDING_PAYMENT', 'CONFIRMED', 'REFUNDED']) {
    try {
      await h.db.knex('orders').where('id', order.id).update({ status: to });
      assert.unreachable(`EXPIRED -> ${to} was allowed`);
    } catch (error) {
      assert.match(String(error), /illegal order transition EXPIRED -> /);
    }
  }
});

test.run();
