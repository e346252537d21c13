import type { Knex } from '@ticketping/db';
import { enqueue } from '@ticketping/bus';
import type { EventPayload } from '@ticketping/contracts/events';
import { SCHEMA, TOPICS } from '../orders/orders.events.ts';
import type { SeatReturn } from './returns.types.ts';

type ReturnEvent = 'return.listed' | 'return.withdrawn' | 'return.sold' | 'return.refunded';

/** On `booking.orders`, keyed by the seller's order: the tickets service and payment already read it. */
export async function emitReturnEvent(trx: Knex.Transaction, type: ReturnEvent, r: SeatReturn): Promise<void> {
  const facts: EventPayload<'return.listed'> = {
    returnId: r.id, ticketId: r.ticketId, orderId: r.orderId, paymentId: r.paymentId, userId: r.userId, performanceId: r.performanceId,
    scheduleId: r.scheduleId, seatId: r.seatId, price: r.price, fee: r.fee, refund: r.refund, currency: r.currency,
  };
  if ((type === 'return.sold' || type === 'return.refunded') && !r.buyerOrderId) throw new Error(`${type} of return ${r.id} without a buyer`);
  const payload = type === 'return.sold' || type === 'return.refunded' ? { ...facts, buyerOrderId: r.buyerOrderId! } : facts;
  await enqueue(trx, SCHEMA, { topic: TOPICS.orders, type, key: r.orderId, payload });
}
