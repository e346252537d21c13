import { z } from 'zod';
import { dateTime, uuid } from './common.ts';

export const returnIdParams = z.object({ returnId: uuid().meta({ param: { id: 'ReturnId' } }) });
export const returnTicketParams = z.object({ ticketId: uuid().meta({ param: { id: 'ReturnTicketId' } }) });

/** What the seller gets back if the seat is sold: the price paid minus the fee. There is no price to set. */
export const ReturnQuote = z
  .object({
    ticketId: z.uuid(),
    orderId: z.uuid(),
    seatId: z.uuid(),
    price: z.number().int().meta({ description: 'What was paid for the seat (minor units): the resale price, always' }),
    fee: z.number().int().meta({ description: 'Kept when the seat is sold (minor units)' }),
    refund: z.number().int().meta({ description: '`price` − `fee`: paid back to the card that bought it, once the seat is sold' }),
    currency: z.string(),
  })
  .meta({ id: 'ReturnQuote' });

export const NewReturn = z.strictObject({ ticketId: uuid() }).meta({ id: 'NewReturn' });

export const TicketReturn = ReturnQuote.extend({
  id: z.uuid(),
  scheduleId: z.uuid(),
  performanceId: z.uuid(),
  status: z.enum(['LISTED', 'SOLD', 'REFUNDED', 'WITHDRAWN']).meta({
    description: '`LISTED`: offered to the waitlist, the ticket still valid; `SOLD`: a waitlisted fan bought it, the ticket is revoked; `REFUNDED`: `refund` paid back; `WITHDRAWN`: taken back before a sale',
  }),
  createdAt: dateTime(),
  soldAt: dateTime().nullable(),
  refundedAt: dateTime().nullable(),
}).meta({ id: 'TicketReturn' });

export const TicketReturnList = z.object({ items: z.array(TicketReturn) }).meta({ id: 'TicketReturnList' });

export type ReturnQuote = z.infer<typeof ReturnQuote>;
export type TicketReturn = z.infer<typeof TicketReturn>;
