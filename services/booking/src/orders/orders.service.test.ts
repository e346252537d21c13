import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { client } from '@ticketping/metrics';
import { ForbiddenError } from '@ticketping/http';
import { createBookingMetrics } from '../booking-metrics.ts';
import type { Sellable } from '../catalog-copy/sellable-cache.ts';
import { createMemoryOrdersStore } from './memory-orders-store.ts';
import { createOrders } from './orders.service.ts';

const SHOW = 'show-1';
const SCHEDULE = 'sched-1';
const opensAt = new Date('2026-12-07T09:00:00Z');
const now = new Date('2026-12-07T10:00:00Z');
const fan = (id: string) => ({ id, role: 'USER' as const });

/** Six seats at 45 EUR (s6 in USD), a sale open now, at most 4 per order; an admission that knows only good tokens. */
function setup({ maxSeatsPerOrder = 4, personLimit = 4, cancelledAt = null as Date | null, at = now } = {}) {
  const store = createMemoryOrdersStore();
  store.seatLimits.set(SHOW, personLimit);
  const seats = new Map(['s1', 's2', 's3', 's4', 's5', 's6'].map((seatId, i) => [seatId, { seatId, section: 'A', row: 1, number: i + 1, grade: 'R', price: 4500, currency: i === 5 ? 'USD' : 'EUR' }]));
  const sellable: Sellable = { schedule: { scheduleId: SCHEDULE, performanceId: SHOW, maxSeatsPerOrder, bookingOpensAt: opensAt, bookingClosesAt: new Date('2026-12-08T00:00:00Z'), cancelledAt }, seats };
  const admission = { verify: async (token: string | undefined) => { if (token !== 'good') throw new ForbiddenError('QUEUE_TOKEN_INVALID', 'bad token'); } };
  const orders = createOrders({
    store, admission, catalog: { get: async (id) => (id === SCHEDULE ? sellable : undefined) },
    metrics: createBookingMetrics(new client.Registry()), holdTtlSeconds: 600, now: () => at,
  });
  /** `null`: no X-Queue-Token at all. */
  const place = (who: string, seatIds: string[], queueToken: string | null = 'good') => orders.placeOrder(fan(who), { scheduleId: SCHEDULE, seatIds, queueToken: queueToken ?? undefined });
  return { store, orders, place };
}

/** The error the promise is refused with (the test fails if it is not refused). */
async function failure(promise: Promise<unknown>): Promise<{ code: string; status: number; extra?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; status: number; extra?: Record<string, unknown> };
  }
  throw new Error('should have failed');
}

test('an order holds its seats at the catalog copy\'s prices, for the hold time, and says so on the bus', async () => {
  const { store, place } = setup();
  const order = await place('ann', ['s1', 's2']);
  assert.is(order.status, 'PENDING_PAYMENT');
  assert.is(order.amount, 9000);
  assert.is(order.currency, 'EUR');
  assert.equal(order.expiresAt, new Date(now.getTime() + 600_000));
  assert.equal([...store.holds.keys()], ['s1', 's2']);
  assert.equal(store.events, [{ type: 'order.created', key: order.id }]);
});

test('a seat someone holds is refused, naming it, and nothing is left half-held', async () => {
  const { store, place } = setup();
  await place('ann', ['s2']);
  const taken = await failure(place('bob', ['s1', 's2']));
  assert.is(taken.code, 'SEAT_UNAVAILABLE');
  assert.is(taken.status, 409);
  assert.equal(taken.extra?.seatIds, ['s2']);
  assert.is(store.holds.get('s1'), undefined);
  assert.is(store.orders.size, 1);
});

test('one live order per fan and schedule: the second names the first', async () => {
  const { place } = setup();
  const first = await place('ann', ['s1']);
  const second = await failure(place('ann', ['s3']));
  assert.is(second.code, 'ACTIVE_ORDER_EXISTS');
  assert.equal(second.extra?.orderId, first.id);
});

test('the per-person limit counts the seats the fan already holds', async () => {
  const { store, place } = setup({ personLimit: 3 });
  // Two seats held for another date of the same performance.
  const seat = { section: 'B', row: 2, number: 1, grade: 'R', price: 4500 };
  store.orders.set('other-date', {
    id: 'other-date', userId: 'ann', performanceId: SHOW, scheduleId: 'sched-2', status: 'PENDING_PAYMENT', seats: [{ ...seat, id: 'b1' }, { ...seat, id: 'b2' }],
    amount: 9000, currency: 'EUR', expiresAt: now, paymentId: null, createdAt: now, updatedAt: now,
  });
  assert.is((await place('ann', ['s1'])).status, 'PENDING_PAYMENT', 'three in all is within the limit');
  await store.transaction((tx) => tx.transition([...store.orders.values()].at(-1)!.id, 'PENDING_PAYMENT', 'CANCELLED'));
  const over = await failure(place('ann', ['s3', 's4']));
  assert.is(over.code, 'PERSON_LIMIT_REACHED');
  assert.equal([over.extra?.maxSeatsPerPerson, over.extra?.seatsHeld], [3, 2]);
});

test('the sale\'s rules refuse before any seat is tried', async () => {
  assert.is((await failure(setup().place('ann', ['s1'], null))).code, 'QUEUE_TOKEN_REQUIRED');
  assert.is((await failure(setup().place('ann', ['s1'], 'forged'))).code, 'QUEUE_TOKEN_INVALID');
  assert.is((await failure(setup({ at: new Date(opensAt.getTime() - 1) }).place('ann', ['s1']))).code, 'BOOKING_NOT_OPEN');
  assert.is((await failure(setup({ cancelledAt: now }).place('ann', ['s1']))).code, 'PERFORMANCE_CANCELLED');
  assert.is((await failure(setup({ maxSeatsPerOrder: 2 }).place('ann', ['s1', 's2', 's3']))).code, 'TOO_MANY_SEATS');
  assert.is((await failure(setup().place('ann', ['s1', 'nope']))).code, 'UNKNOWN_SEATS');
  assert.is((await failure(setup().place('ann', ['s1', 's6']))).code, 'MIXED_CURRENCIES');
  const { orders } = setup();
  assert.is((await failure(orders.placeOrder(fan('ann'), { scheduleId: 'elsewhere', seatIds: ['s1'], queueToken: 'good' }))).code, 'SCHEDULE_NOT_FOUND');
});

test('cancelling releases the seats at once, says so, and cancelling again changes nothing', async () => {
  const { store, orders, place } = setup();
  const order = await place('ann', ['s1']);
  const cancelled = await orders.cancelOrder(fan('ann'), order.id);
  assert.is(cancelled.status, 'CANCELLED');
  assert.is(store.holds.size, 0);
  assert.is((await orders.cancelOrder(fan('ann'), order.id)).status, 'CANCELLED');
  assert.equal(store.events.map((e) => e.type), ['order.created', 'order.cancelled']);
  assert.is((await place('bob', ['s1'])).status, 'PENDING_PAYMENT', 'the seat is for sale again');
});

test('a fan sees only their own orders: someone else\'s is not found', async () => {
  const { orders, place } = setup();
  const order = await place('ann', ['s1']);
  assert.is((await orders.getOrder(fan('ann'), order.id)).id, order.id);
  assert.is((await failure(orders.getOrder(fan('bob'), order.id))).code, 'ORDER_NOT_FOUND');
  assert.is((await failure(orders.cancelOrder(fan('bob'), order.id))).code, 'ORDER_NOT_FOUND');
});

test('only a confirmed order is refunded, by asking payment', async () => {
  const { store, orders, place } = setup();
  const order = await place('ann', ['s1']);
  assert.is((await failure(orders.requestRefund(order.id, 'GOODWILL'))).code, 'ORDER_NOT_REFUNDABLE');
  Object.assign(store.orders.get(order.id)!, { status: 'CONFIRMED', paymentId: 'pay-1' });
  await orders.requestRefund(order.id, 'GOODWILL');
  assert.equal(store.events.at(-1), { type: 'order.refund-requested', key: order.id });
});

test('a fan\'s orders come newest first, a page at a time', async () => {
  const { store, orders } = setup();
  for (const [i, id] of ['o1', 'o2', 'o3'].entries()) {
    const at = new Date(now.getTime() + i * 1000);
    store.orders.set(id, { id, userId: 'ann', performanceId: SHOW, scheduleId: `sched-${i}`, status: 'EXPIRED', seats: [], amount: 0, currency: 'EUR', expiresAt: at, paymentId: null, createdAt: at, updatedAt: at });
  }
  const first = await orders.listOrders(fan('ann'), 2);
  assert.equal(first.items.map((o) => o.id), ['o3', 'o2']);
  const second = await orders.listOrders(fan('ann'), 2, first.next);
  assert.equal(second.items.map((o) => o.id), ['o1']);
  assert.is(second.next, undefined);
});

test.run();
