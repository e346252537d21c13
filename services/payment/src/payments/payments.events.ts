import { enqueue } from '@ticketping/bus';
import type { EventPayload, EventTypeOn } from '@ticketping/contracts/events';
import { TOPICS as CONTRACT_TOPICS } from '@ticketping/contracts/topics';
import type { Knex } from '@ticketping/db';
import type { Payment } from './payments.types.ts';

/** Payment's schema: its outbox and inbox live there too. */
export const SCHEMA = 'payment';
export const TOPICS = { payments: CONTRACT_TOPICS.paymentPayments, orders: CONTRACT_TOPICS.bookingOrders } as const;

/** Written in the transaction that settles the payment: published if and only if it commits. */
export async function emitPaymentEvent(trx: Knex.Transaction, type: Exclude<EventTypeOn<typeof TOPICS.payments>, 'payment.return-refunded'>, payment: Payment, reason?: string): Promise<void> {
  await enqueue(trx, SCHEMA, {
    topic: TOPICS.payments,
    type,
    key: payment.orderId,
    payload: {
      paymentId: payment.id, orderId: payment.orderId, userId: payment.userId, amount: payment.amount, currency: payment.currency,
      ...(reason ? { reason } : {}),
    } satisfies EventPayload<typeof type>,
  });
}
