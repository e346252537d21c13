import { z } from 'zod';
import { currencyCode, minorUnits, uuid } from './fields.ts';

/** `payment.succeeded`, `payment.failed`, `payment.refunded` (keyed by orderId); `reason` when failed or refunded. */
export const paymentOutcome = z.object({
  paymentId: uuid(),
  orderId: uuid(),
  userId: z.string().min(1),
  amount: minorUnits(),
  currency: currencyCode(),
  reason: z.string().optional(),
});

/** `payment.return-refunded` (keyed by orderId): `amount` of the payment given back for one sold return, once per `returnId`. */
export const paymentReturnRefunded = z.object({
  returnId: uuid(),
  paymentId: uuid(),
  orderId: uuid(),
  userId: z.string().min(1),
  amount: minorUnits(),
  currency: currencyCode(),
});
