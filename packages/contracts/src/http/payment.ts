import { z } from 'zod';
import { dateTime } from './common.ts';
import { passesLuhn } from './luhn.ts';

/** Unknown fields are rejected: the amount is the order's, never the client's. */
export const NewPayment = z
  .strictObject({
    orderId: z.uuid(),
    method: z.discriminatedUnion('type', [
      z.strictObject({
        type: z.literal('card'),
        cardNumber: z.string().regex(/^\d{12,19}$/, 'a card number is 12 to 19 digits').refine(passesLuhn, 'not a valid card number'),
      }),
    ]),
  })
  .meta({ id: 'NewPayment' });

export const PaymentStatus = z.enum(['PENDING', 'SUCCEEDED', 'FAILED', 'REFUNDED']);

export const Payment = z
  .object({
    id: z.uuid(),
    orderId: z.uuid(),
    amount: z.number().int(),
    currency: z.string(),
    status: PaymentStatus,
    method: z.object({ type: z.string(), last4: z.string().nullable() }),
    failureReason: z.string().nullable(),
    createdAt: dateTime(),
    updatedAt: dateTime(),
  })
  .meta({ id: 'Payment' });

export type PaymentStatus = z.infer<typeof PaymentStatus>;
export type Payment = z.infer<typeof Payment>;
