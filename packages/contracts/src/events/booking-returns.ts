import { z } from 'zod';
import { currencyCode, minorUnits, uuid } from './fields.ts';

/**
 * What every return event says (keyed by the seller's orderId, on `booking.orders`): a ticket its
 * holder gave back for resale at the price paid. `refund` is `price` minus `fee`, fixed when the
 * ticket was listed; there is no asking price, so nothing above face value is possible.
 */
export const returnFacts = z.object({
  returnId: uuid(),
  ticketId: uuid(),
  /** The seller's order (the one the ticket was issued for) and its confirming payment. */
  orderId: uuid(),
  paymentId: uuid(),
  userId: z.string().min(1),
  performanceId: uuid(),
  scheduleId: uuid(),
  seatId: uuid(),
  price: minorUnits(),
  fee: minorUnits(),
  refund: minorUnits(),
  currency: currencyCode(),
});

/** `return.listed`: the seat goes to the schedule's waitlist; the seller's ticket stays valid until it is sold. */
export const returnListed = returnFacts;
/** `return.withdrawn`: the seller took it back before anyone bought it. */
export const returnWithdrawn = returnFacts;
/**
 * `return.sold`: a waitlisted fan's order for the seat (`buyerOrderId`) is confirmed. The tickets
 * service revokes `ticketId`; payment refunds `refund` of `paymentId`, once per `returnId`.
 */
export const returnSold = returnFacts.extend({ buyerOrderId: uuid() });
/** `return.refunded`: payment gave the seller `refund` back. */
export const returnRefunded = returnFacts.extend({ buyerOrderId: uuid() });
