import { EVENTS } from '@ticketping/contracts/events';
import { TOPICS } from '@ticketping/contracts/topics';
import type { Knex } from '@ticketping/db';
import { markSoldOut } from '../performances/performances.repo.ts';
import { applyClaim, type ClaimState } from './seat-claims.repo.ts';

/** What catalog consumes (docs/events.md): booking's order lifecycle, its sold-out signal and waitlist offers. */
export const CONSUMED_TOPICS = [TOPICS.bookingOrders, TOPICS.bookingPerformances, TOPICS.bookingWaitlist];

/** How each order event moves the order's claim on its seats. */
const CLAIM_BY_TYPE: Record<string, ClaimState> = {
  'order.created': 'HELD',
  'order.confirmed': 'SOLD',
  'order.cancelled': 'RELEASED',
  'order.expired': 'RELEASED',
  'order.refunded': 'RELEASED',
};

/**
 * A waitlist offer holds seats as an order does (booking hands a returned seat from the order to
 * the offer in one transaction), so it is a claimant of its own: the seat map shows the seat HELD
 * whatever order the order's release and the offer arrive in. Claimed, the offer's order holds it.
 */
const OFFER_CLAIM_BY_TYPE: Record<string, ClaimState> = {
  'waitlist.offer-made': 'HELD',
  'waitlist.offer-claimed': 'RELEASED',
  'waitlist.offer-expired': 'RELEASED',
  'waitlist.offer-declined': 'RELEASED',
};
const offerSeats = EVENTS['waitlist.offer-made'].payload.pick({ offerId: true, scheduleId: true, seatIds: true });

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
  const offerClaim = OFFER_CLAIM_BY_TYPE[event.type];
  if (offerClaim) {
    const { offerId, scheduleId, seatIds } = offerSeats.parse(event.payload);
    await applyClaim(trx, { orderId: offerId, scheduleId, seatIds, state: offerClaim });
    return { scheduleId };
  }
  if (event.type === 'performance.sold-out') {
    await markSoldOut(trx, soldOut.parse(event.payload).performanceId);
  }
  // Other types on these topics (order.refund-requested, …) are not catalog's business.
  return {};
}
