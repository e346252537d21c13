import { EVENTS } from '@ticketping/contracts/events';
import { TOPICS } from '@ticketping/contracts/topics';
import type { Knex } from '@ticketping/db';
import { markSoldOut } from '../performances/performances.repo.ts';
import { applyClaim, type ClaimState } from './seat-claims.repo.ts';

/** What catalog consumes (docs/events.md): booking's order lifecycle and its sold-out signal. */
export const CONSUMED_TOPICS = [TOPICS.bookingOrders, TOPICS.bookingPerformances];

/** How each order event moves the order's claim on its seats. */
const CLAIM_BY_TYPE: Record<string, ClaimState> = {
  'order.created': 'HELD',
  'order.confirmed': 'SOLD',
  'order.cancelled': 'RELEASED',
  'order.expired': 'RELEASED',
  'order.refunded': 'RELEASED',
};

const orderSeats = EVENTS['order.created'].payload
  .pick({ orderId: true, scheduleId: true, seatIds: true })
  .extend({ seatIds: EVENTS['order.created'].payload.shape.seatIds.min(1) });
const soldOut = EVENTS['performance.sold-out'].payload;

export interface IncomingEvent {
  type: string;
  payload: unknown;
}

/** What an event changed, so the caller can drop cached views after the transaction commits. */
export interface Applied {
  scheduleId?: string;
}

/**
 * Applies one consumed event inside the caller's transaction (the inbox's, which also records the
 * event id). Idempotent and order-independent on its own (see seat-claims.repo.ts). A malformed
 * payload throws, so the bus retries it and then dead-letters it.
 */
export async function applyCatalogEvent(trx: Knex.Transaction, event: IncomingEvent): Promise<Applied> {
  const claim = CLAIM_BY_TYPE[event.type];
  if (claim) {
    const { orderId, scheduleId, seatIds } = orderSeats.parse(event.payload);
    await applyClaim(trx, { orderId, scheduleId, seatIds, state: claim });
    return { scheduleId };
  }
  if (event.type === 'performance.sold-out') {
    await markSoldOut(trx, soldOut.parse(event.payload).performanceId);
  }
  // Other types on these topics (order.refund-requested, …) are not catalog's business.
  return {};
}
