import { z } from 'zod';
import { LIMITS } from '../limits.ts';
import { dateTime, page } from './common.ts';

/** Unknown fields are rejected: a client never sets a price, an amount or a status. */
export const NewOrder = z
  .strictObject({
    scheduleId: z.uuid(),
    seatIds: z.array(z.uuid()).min(1).max(LIMITS.seatIdsPerOrder).refine((ids) => new Set(ids).size === ids.length, 'seat ids must not repeat'),
  })
  .meta({ id: 'NewOrder' });

export const RefundRequest = z
  .strictObject({
    reason: z.string().min(1).max(200).default('REQUESTED_BY_ADMIN').meta({ description: 'Passed to payment with the refund request.' }),
  })
  .meta({ id: 'RefundRequest' });

export const OrderStatus = z.enum(['PENDING_PAYMENT', 'CONFIRMED', 'CANCELLED', 'EXPIRED', 'REFUNDED']);

export const OrderSeat = z.object({
  id: z.uuid(),
  section: z.string(),
  row: z.number().int().meta({ description: '1-based row number within the section' }),
  number: z.number().int(),
  grade: z.string(),
  price: z.number().int(),
});

export const Order = z
  .object({
    id: z.uuid(),
    status: OrderStatus,
    performanceId: z.uuid(),
    scheduleId: z.uuid(),
    seats: z.array(OrderSeat),
    amount: z.number().int(),
    currency: z.string(),
    expiresAt: dateTime(),
    paymentId: z.uuid().nullable().meta({ description: 'The payment that confirmed it; null until then' }),
    createdAt: dateTime(),
    updatedAt: dateTime(),
  })
  .meta({ id: 'Order' });

export const OrderPage = page(Order);

export type OrderStatus = z.infer<typeof OrderStatus>;
export type Order = z.infer<typeof Order>;
export type OrderSeat = z.infer<typeof OrderSeat>;

export const salesTimelineQuery = z.object({
  minutes: z.coerce.number().int().min(1).max(10_080).default(60).meta({ description: 'How far back from now' }),
});

/** Minutes with nothing in them are left out: the organiser's page fills the gaps with zeros. */
export const SalesTimeline = z
  .object({
    scheduleId: z.uuid(),
    from: dateTime(),
    to: dateTime(),
    soldBefore: z.number().int().meta({ description: 'Seats in orders confirmed before `from` (and not refunded since)' }),
    buckets: z.array(z.object({
      minute: dateTime().meta({ description: 'Start of the minute (UTC)' }),
      sold: z.number().int().meta({ description: 'Seats in orders confirmed in that minute (and not refunded since)' }),
      held: z.number().int().meta({ description: 'Seats in orders placed (held) in that minute, whatever became of them' }),
    })),
  })
  .meta({ id: 'SalesTimeline' });
export type SalesTimeline = z.infer<typeof SalesTimeline>;
