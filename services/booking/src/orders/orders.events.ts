import type { Knex } from '@ticketping/db';
import { enqueue } from '@ticketping/bus';
import type { EventPayload, EventTypeOn } from '@ticketping/contracts/events';
import { TOPICS as CONTRACT_TOPICS } from '@ticketping/contracts/topics';
import type { Order } from './orders.types.ts';

/** Booking's schema: its outbox and inbox tables live there too. */
export const SCHEMA = 'booking';

export const TOPICS = {
  orders: CONTRACT_TOPICS.bookingOrders,
  performances: CONTRACT_TOPICS.bookingPerformances,
  catalog: CONTRACT_TOPICS.catalogPerformances,
  payments: CONTRACT_TOPICS.paymentPayments,
} as const;

/**
 * Writes an order event to the outbox in the caller's transaction: it is published if and only if
 * the state change commits (docs/events.md has the payloads).
 */
export async function emitOrderEvent(trx: Knex.Transaction, type: Exclude<EventTypeOn<typeof TOPICS.orders>, 'order.refund-requested'>, order: Order): Promise<void> {
  const facts: EventPayload<'order.cancelled'> = {
    orderId: order.id,
    userId: order.userId,
    performanceId: order.performanceId,
    scheduleId: order.scheduleId,
    seatIds: order.seats.map((s) => s.id),
  };
  let payload: EventPayload<typeof type> = facts;
  if (type === 'order.created') payload = { ...facts, amount: order.amount, currency: order.currency, expiresAt: order.expiresAt.toISOString() } satisfies EventPayload<'order.created'>;
  if (type === 'order.confirmed' || type === 'order.refunded') payload = { ...facts, paymentId: order.paymentId } satisfies EventPayload<'order.confirmed'>;
  await enqueue(trx, SCHEMA, { topic: TOPICS.orders, type, key: order.id, payload });
}

/** Asks payment to give the money back: the payment arrived for an order that can no longer be sold. */
export async function emitRefundRequested(trx: Knex.Transaction, refund: EventPayload<'order.refund-requested'>): Promise<void> {
  await enqueue(trx, SCHEMA, { topic: TOPICS.orders, type: 'order.refund-requested', key: refund.orderId, payload: refund });
}

export async function emitSoldOut(trx: Knex.Transaction, performanceId: string): Promise<void> {
  await enqueue(trx, SCHEMA, { topic: TOPICS.performances, type: 'performance.sold-out', key: performanceId, payload: { performanceId } satisfies EventPayload<'performance.sold-out'> });
}
