import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { TOPICS } from '../topics.ts';
import { EVENTS, type EventType } from './index.ts';

test('every event travels on a known topic, named <aggregate>.<what happened>', () => {
  const topics = new Set<string>(Object.values(TOPICS));
  for (const [type, { topic }] of Object.entries(EVENTS)) {
    assert.ok(topics.has(topic), `${type} on ${topic}`);
    assert.match(type, /^[a-z]+\.[a-z-]+$/);
  }
});

test('an order event as booking writes it parses; a seat id that is not a UUID does not', () => {
  const order = { orderId: randomUUID(), userId: randomUUID(), performanceId: randomUUID(), scheduleId: randomUUID(), seatIds: [randomUUID()] };
  const created = { ...order, amount: 120_000, currency: 'KRW', expiresAt: '2030-01-01T10:00:00.000Z' };
  assert.ok(EVENTS['order.created'].payload.safeParse(created).success);
  assert.ok(EVENTS['order.confirmed'].payload.safeParse({ ...order, paymentId: randomUUID() }).success);
  assert.not.ok(EVENTS['order.created'].payload.safeParse({ ...created, seatIds: ['A-1'] }).success);
  assert.not.ok(EVENTS['order.created'].payload.safeParse({ ...order }).success, 'order.created needs amount, currency and expiresAt');
});

test('performance.published keeps the one shape booking and the queue read', () => {
  const type: EventType = 'performance.published';
  const published = {
    performanceId: randomUUID(), title: 'Hamlet', bookingOpensAt: '2030-01-02T10:00:00.000Z', bookingClosesAt: '2030-02-01T10:00:00+09:00',
    maxSeatsPerOrder: 4, queue: { capacity: 100, admitPerMinute: 300 }, totalSeats: 20, schedules: [{ scheduleId: randomUUID(), startsAt: '2030-02-10T19:00:00.000Z' }],
  };
  assert.ok(EVENTS[type].payload.safeParse(published).success);
  assert.not.ok(EVENTS[type].payload.safeParse({ ...published, bookingOpensAt: '2030-01-02' }).success);
  assert.ok(EVENTS[type].payload.safeParse({ ...published, maxSeatsPerPerson: 6 }).success, 'the per-person limit travels with it');
  assert.not.ok(EVENTS[type].payload.safeParse({ ...published, maxSeatsPerPerson: 0 }).success);
});

test('ticket events as the tickets service writes them parse; a revocation needs its reason', () => {
  const ticket = { ticketId: randomUUID(), orderId: randomUUID(), userId: randomUUID(), performanceId: randomUUID(), scheduleId: randomUUID(), seatId: randomUUID(), version: 1 };
  assert.ok(EVENTS['ticket.issued'].payload.safeParse(ticket).success);
  assert.ok(EVENTS['ticket.revoked'].payload.safeParse({ ...ticket, reason: 'ORDER_REFUNDED' }).success);
  assert.not.ok(EVENTS['ticket.revoked'].payload.safeParse(ticket).success);
  assert.ok(EVENTS['ticket.transferred'].payload.safeParse({ ...ticket, version: 2, fromUserId: randomUUID(), previousVersion: 1 }).success);
  const checkIn = { checkInId: randomUUID(), ticketId: ticket.ticketId, performanceId: ticket.performanceId, scheduleId: ticket.scheduleId, gate: 'North 1', scannedAt: '2030-02-10T18:30:00.000Z' };
  assert.ok(EVENTS['ticket.checked-in'].payload.safeParse(checkIn).success);
});

test('return events as booking writes them parse; a sale names its buyer order; a ticket revoked for a resale says RETURNED', () => {
  const facts = {
    returnId: randomUUID(), ticketId: randomUUID(), orderId: randomUUID(), paymentId: randomUUID(), userId: randomUUID(), performanceId: randomUUID(),
    scheduleId: randomUUID(), seatId: randomUUID(), price: 50_000, fee: 2_500, refund: 47_500, currency: 'KRW',
  };
  assert.ok(EVENTS['return.listed'].payload.safeParse(facts).success);
  assert.not.ok(EVENTS['return.sold'].payload.safeParse(facts).success, 'a sale needs buyerOrderId');
  assert.ok(EVENTS['return.sold'].payload.safeParse({ ...facts, buyerOrderId: randomUUID() }).success);
  assert.ok(EVENTS['payment.return-refunded'].payload.safeParse({ returnId: facts.returnId, paymentId: facts.paymentId, orderId: facts.orderId, userId: facts.userId, amount: 47_500, currency: 'KRW' }).success);
  assert.ok(EVENTS['ticket.revoked'].payload.safeParse({ ticketId: randomUUID(), orderId: randomUUID(), userId: randomUUID(), performanceId: randomUUID(), scheduleId: randomUUID(), seatId: randomUUID(), version: 1, reason: 'RETURNED' }).success);
});

test.run();
