import { z } from 'zod';
import { currencyCode, instant, minorUnits, uuid } from './fields.ts';

/** What every order event says: whose order, for which seats (keyed by orderId). */
export const orderFacts = z.object({
  orderId: uuid(),
  userId: z.string().min(1),
  performanceId: uuid(),
  scheduleId: uuid(),
  seatIds: z.array(uuid()),
});

/** `order.created`: seats held until `expiresAt`, waiting for payment of `amount`. */
export const orderCreated = orderFacts.extend({ amount: minorUnits(), currency: currencyCode(), expiresAt: instant() });
/** `order.confirmed` and `order.refunded`: the payment that confirmed (or was refunded for) it. */
export const orderPaid = orderFacts.extend({ paymentId: uuid().nullable() });
/** `order.cancelled` and `order.expired`: the seats are free again. */
export const orderReleased = orderFacts;
/** `order.refund-requested`: booking asks payment to give the money back. */
export const orderRefundRequested = z.object({ orderId: uuid(), userId: z.string().min(1), paymentId: uuid(), reason: z.string().min(1) });
