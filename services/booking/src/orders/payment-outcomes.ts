import type { Knex } from '@ticketping/db';
import type { Logger } from '@ticketping/logger';
import type { BookingMetrics } from '../booking-metrics.ts';
import { emitOrderEvent, emitRefundRequested, emitSoldOut } from './orders.events.ts';
import { lockCancelledAt } from '../catalog-copy/catalog-copy.repo.ts';
import { addSoldSeats, findOrder, transition } from './orders.repo.ts';

export interface PaymentOutcome { paymentId: string; orderId: string; userId: string; amount: number; currency: string }

/**
 * What booking does when payment reports back. Each runs inside the inbox transaction, so a
 * redelivered event is skipped and a crash half-way leaves nothing behind.
 */
export function createPaymentOutcomes({ logger, metrics }: { logger: Logger; metrics: BookingMetrics }) {
  return {
    /**
     * Confirms the order if it is still waiting for this payment. If the hold ran out or the fan
     * cancelled first, the seats may already belong to someone else: the money goes back instead
     * (never a second sale of the seat).
     */
    async paymentSucceeded(trx: Knex.Transaction, payment: PaymentOutcome): Promise<void> {
      const order = await findOrder(trx, payment.orderId);
      if (order && order.status === 'PENDING_PAYMENT' && (order.amount !== payment.amount || order.currency !== payment.currency)) {
        logger.error({ orderId: order.id, paymentId: payment.paymentId }, 'payment amount differs from the order; refunding');
        await emitRefundRequested(trx, { ...ids(payment), reason: 'AMOUNT_MISMATCH' });
        return;
      }
      // Locks the performance before the order, in the order a cancellation takes them: a payment
      // that lands while the performance is being cancelled either is settled by it or sees it here.
      if (order?.status === 'PENDING_PAYMENT' && await lockCancelledAt(trx, order.performanceId) !== undefined) {
        const cancelled = await transition(trx, order.id, 'PENDING_PAYMENT', 'CANCELLED');
        if (cancelled) await emitOrderEvent(trx, 'order.cancelled', cancelled);
        await emitRefundRequested(trx, { ...ids(payment), reason: 'PERFORMANCE_CANCELLED' });
        return;
      }
      const confirmed = order ? await transition(trx, payment.orderId, 'PENDING_PAYMENT', 'CONFIRMED', payment.paymentId) : undefined;
      if (confirmed) {
        await emitOrderEvent(trx, 'order.confirmed', confirmed);
        metrics.orderStatus('CONFIRMED');
        const { becameSoldOut } = await addSoldSeats(trx, confirmed.performanceId, confirmed.seats.length);
        if (becameSoldOut) await emitSoldOut(trx, confirmed.performanceId);
        return;
      }
      const current = await findOrder(trx, payment.orderId);
      if (current?.status === 'CONFIRMED' && current.paymentId === payment.paymentId) return;
      const reason = current ? `ORDER_${current.status}` : 'ORDER_UNKNOWN';
      logger.warn({ orderId: payment.orderId, paymentId: payment.paymentId, reason }, 'payment arrived for an order that cannot be sold; refunding');
      await emitRefundRequested(trx, { ...ids(payment), reason });
    },

    /** A refund of the payment that confirmed the order ends it and frees its seats. */
    async paymentRefunded(trx: Knex.Transaction, payment: PaymentOutcome): Promise<void> {
      const order = await findOrder(trx, payment.orderId);
      if (order?.status !== 'CONFIRMED' || order.paymentId !== payment.paymentId) return; // a late payment given back: the order stays as it is
      const refunded = await transition(trx, order.id, 'CONFIRMED', 'REFUNDED');
      if (!refunded) return;
      await addSoldSeats(trx, refunded.performanceId, -refunded.seats.length);
      await emitOrderEvent(trx, 'order.refunded', refunded);
      metrics.orderStatus('REFUNDED');
    },
  };
}

const ids = (p: PaymentOutcome) => ({ orderId: p.orderId, userId: p.userId, paymentId: p.paymentId });
export type PaymentOutcomes = ReturnType<typeof createPaymentOutcomes>;
