import { Writable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger } from '@ticketping/logger';
import { client } from '@ticketping/metrics';
import { createBookingMetrics } from '../booking-metrics.ts';
import { createMemoryOutcomeTx } from './memory-outcome-tx.ts';
import { createPaymentOutcomes, type PaymentOutcome } from './payment-outcomes.ts';
import type { Order } from './orders.types.ts';

const quiet = createLogger({ service: 'test', destination: new Writable({ write(_c, _e, done) { done(); } }) });
const SHOW = 'show-1';

function setup({ totalSeats = 10, soldSeats = 0, cancelledAt = null as Date | null } = {}) {
  const tx = createMemoryOutcomeTx();
  tx.performances.set(SHOW, { cancelledAt, totalSeats, soldSeats, soldOut: false });
  const outcomes = createPaymentOutcomes({ logger: quiet, metrics: createBookingMetrics(new client.Registry()) });
  const order = (id: string, fields: Partial<Order> = {}): Order => {
    const o: Order = {
      id, userId: 'fan', performanceId: SHOW, scheduleId: 'sched', status: 'PENDING_PAYMENT', amount: 9000, currency: 'EUR',
      seats: [{ id: `${id}-s1`, section: 'A', row: 1, number: 1, grade: 'R', price: 4500 }, { id: `${id}-s2`, section: 'A', row: 1, number: 2, grade: 'R', price: 4500 }],
      expiresAt: new Date(), paymentId: null, createdAt: new Date(), updatedAt: new Date(), ...fields,
    };
    tx.orders.set(id, o);
    return o;
  };
  const paid = (o: Order, fields: Partial<PaymentOutcome> = {}): PaymentOutcome => ({ paymentId: `pay-${o.id}`, orderId: o.id, userId: o.userId, amount: o.amount, currency: o.currency, ...fields });
  return { tx, outcomes, order, paid };
}

test('a payment for a pending order confirms it and counts its seats as sold', async () => {
  const { tx, outcomes, order, paid } = setup();
  const o = order('o1');
  await outcomes.paymentSucceeded(tx, paid(o));
  assert.is(tx.orders.get('o1')!.status, 'CONFIRMED');
  assert.is(tx.orders.get('o1')!.paymentId, 'pay-o1');
  assert.is(tx.performances.get(SHOW)!.soldSeats, 2);
  assert.equal(tx.events, [{ type: 'order.confirmed', key: 'o1' }]);
});

test('the confirmation that sells the last seats announces the sell-out, once', async () => {
  const { tx, outcomes, order, paid } = setup({ totalSeats: 4, soldSeats: 2 });
  await outcomes.paymentSucceeded(tx, paid(order('last')));
  assert.equal(tx.events.map((e) => e.type), ['order.confirmed', 'performance.sold-out']);
});

test('a payment whose amount differs from the order is given back and the order stays pending', async () => {
  const { tx, outcomes, order, paid } = setup();
  const o = order('o1');
  await outcomes.paymentSucceeded(tx, paid(o, { amount: 1 }));
  assert.is(tx.orders.get('o1')!.status, 'PENDING_PAYMENT');
  assert.equal(tx.events, [{ type: 'order.refund-requested', key: 'o1', reason: 'AMOUNT_MISMATCH' }]);
});

test('a payment that lands after the performance was cancelled cancels the order and is refunded', async () => {
  const { tx, outcomes, order, paid } = setup({ cancelledAt: new Date() });
  await outcomes.paymentSucceeded(tx, paid(order('o1')));
  assert.is(tx.orders.get('o1')!.status, 'CANCELLED');
  assert.equal(tx.events.map((e) => [e.type, e.reason]), [['order.cancelled', undefined], ['order.refund-requested', 'PERFORMANCE_CANCELLED']]);
});

test('a payment for an order that expired or is unknown is refunded, naming why; the seats are never sold twice', async () => {
  const { tx, outcomes, order, paid } = setup();
  const expired = order('late', { status: 'EXPIRED' });
  await outcomes.paymentSucceeded(tx, paid(expired));
  await outcomes.paymentSucceeded(tx, { paymentId: 'p', orderId: 'ghost', userId: 'fan', amount: 1, currency: 'EUR' });
  assert.is(tx.orders.get('late')!.status, 'EXPIRED');
  assert.is(tx.performances.get(SHOW)!.soldSeats, 0);
  assert.equal(tx.events.map((e) => e.reason), ['ORDER_EXPIRED', 'ORDER_UNKNOWN']);
});

test('the same payment reported again for its confirmed order changes nothing; another payment for it is refunded', async () => {
  const { tx, outcomes, order, paid } = setup();
  const o = order('o1');
  await outcomes.paymentSucceeded(tx, paid(o));
  await outcomes.paymentSucceeded(tx, paid(o));
  assert.is(tx.events.length, 1);
  await outcomes.paymentSucceeded(tx, paid(o, { paymentId: 'second-card' }));
  assert.equal(tx.events.at(-1), { type: 'order.refund-requested', key: 'o1', reason: 'ORDER_CONFIRMED' });
});

test('a refund of the confirming payment ends the order and frees its seats; a refund of another payment does not', async () => {
  const { tx, outcomes, order, paid } = setup();
  const o = order('o1');
  await outcomes.paymentSucceeded(tx, paid(o));
  await outcomes.paymentRefunded(tx, paid(o, { paymentId: 'someone-else' }));
  assert.is(tx.orders.get('o1')!.status, 'CONFIRMED');
  await outcomes.paymentRefunded(tx, paid(o));
  assert.is(tx.orders.get('o1')!.status, 'REFUNDED');
  assert.is(tx.performances.get(SHOW)!.soldSeats, 0);
  assert.equal(tx.events.map((e) => e.type), ['order.confirmed', 'order.refunded']);
});

test.run();
