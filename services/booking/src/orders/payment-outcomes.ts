import type { Knex } from '@ticketping/db';
import type { EventPayload, EventTypeOn } from '@ticketping/contracts/events';
import type { Logger } from '@ticketping/logger';
import type { BookingMetrics } from '../booking-metrics.ts';
import { emitOrderEvent, emitRefundRequested, emitSoldOut, type TOPICS } from './orders.events.ts';
import { lockCancelledAt } from '../catalog-copy/catalog-copy.repo.ts';
import { addSoldSeats, findOrder, transition } from './orders.repo.ts';
import { settleReturns } from '../returns/settle.ts';
import type { Order, OrderStatus } from './orders.types.ts';

export interface PaymentOutcome { paymentId: string; orderId: string; userId: string; amount: number; currency: string }

/** The orders, the performance's counters and the outbox, inside the inbox transaction of one event. */
export interface OutcomeTx {
  findOrder(orderId: string): Promise<Order | undefined>;
  /** Compare-and-set `from` → `to`; undefined when the order is not (or no longer) in `from`. */
  transition(orderId: string, from: OrderStatus, to: OrderStatus, paymentId?: string): Promise<Order | undefined>;
  /** Locks the performance row; its cancellation instant, if cancelled. */
  lockCancelledAt(performanceId: string): Promise<Date | undefined>;
  addSoldSeats(performanceId: string, delta: number): Promise<{ becameSoldOut: boolean }>;
  emitOrderEvent(type: Exclude<EventTypeOn<typeof TOPICS.orders>, 'order.refund-requested'>, order: Order): Promise<void>;
  emitRefundRequested(refund: EventPayload<'order.refund-requested'>): Promise<void>;
  emitSoldOut(performanceId: string): Promise<void>;
  /** Sells the listed returns among the confirmed order's seats to it; how many seats were resold. */
  settleReturns(order: Order): Promise<number>;
}

/** The outcome's view of booking's Postgres within `trx`. */
export function outcomeTx(trx: Knex.Transaction, logger: Logger): OutcomeTx {
  return {
    findOrder: (orderId) => findOrder(trx, orderId),
    transition: (orderId, from, to, paymentId) => transition(trx, orderId, from, to, paymentId),
    lockCancelledAt: (performanceId) => lockCancelledAt(trx, performanceId),
    addSoldSeats: (performanceId, delta) => addSoldSeats(trx, performanceId, delta),
    emitOrderEvent: (type, order) => emitOrderEvent(trx, type, order),
    emitRefundRequested: (refund) => emitRefundRequested(trx, refund),
    emitSoldOut: (performanceId) => emitSoldOut(trx, performanceId),
    settleReturns: (order) => settleReturns(trx, order, logger),
  };
}

/**
 * What booking does when payment reports back. Each runs inside the inbox transaction (`outcomeTx`),
 * so a redelivered event is skipped and a crash half-way leaves nothing behind.
 */
export function createPaymentOutcomes({ logger, metrics }: { logger: Logger; metrics: BookingMetrics }) {
  return {
    /**
     * Confirms the order if it is still waiting for this payment. If the hold ran out or the fan
     * cancelled first, the seats may already belong to someone else: the money goes back instead
     * (never a second sale of the seat).
     */
    async paymentSucceeded(tx: OutcomeTx, payment: PaymentOutcome): Promise<void> {
      const order = await tx.findOrder(payment.orderId);
      if (order && order.status === 'PENDING_PAYMENT' && (order.amount !== payment.amount || order.currency !== payment.currency)) {
        logger.error({ orderId: order.id, paymentId: payment.paymentId }, 'payment amount differs from the order; refunding');
        await tx.emitRefundRequested({ ...ids(payment), reason: 'AMOUNT_MISMATCH' });
        return;
      }
      // Locks the performance before the order, in the order a cancellation takes them: a payment
      // that lands while the performance is being cancelled either is settled by it or sees it here.
      if (order?.status === 'PENDING_PAYMENT' && await tx.lockCancelledAt(order.performanceId) !== undefined) {
        const cancelled = await tx.transition(order.id, 'PENDING_PAYMENT', 'CANCELLED');
        if (cancelled) await tx.emitOrderEvent('order.cancelled', cancelled);
        await tx.emitRefundRequested({ ...ids(payment), reason: 'PERFORMANCE_CANCELLED' });
        return;
      }
      const confirmed = order ? await tx.transition(payment.orderId, 'PENDING_PAYMENT', 'CONFIRMED', payment.paymentId) : undefined;
      if (confirmed) {
        await tx.emitOrderEvent('order.confirmed', confirmed);
        metrics.orderStatus('CONFIRMED');
        // a resold return's seat was counted as sold with its seller's order
        const resold = await tx.settleReturns(confirmed);
        const { becameSoldOut } = await tx.addSoldSeats(confirmed.performanceId, confirmed.seats.length - resold);
        if (becameSoldOut) await tx.emitSoldOut(confirmed.performanceId);
        return;
      }
      const current = await tx.findOrder(payment.orderId);
      if (current?.status === 'CONFIRMED' && current.paymentId === payment.paymentId) return;
      const reason = current ? `ORDER_${current.status}` : 'ORDER_UNKNOWN';
      logger.warn({ orderId: payment.orderId, paymentId: payment.paymentId, reason }, 'payment arrived for an order that cannot be sold; refunding');
      await tx.emitRefundRequested({ ...ids(payment), reason });
    },

    /** A refund of the payment that confirmed the order ends it and frees its seats. */
    async paymentRefunded(tx: OutcomeTx, payment: PaymentOutcome): Promise<void> {
      const order = await tx.findOrder(payment.orderId);
      if (order?.status !== 'CONFIRMED' || order.paymentId !== payment.paymentId) return; // a late payment given back: the order stays as it is
      const refunded = await tx.transition(order.id, 'CONFIRMED', 'REFUNDED');
      if (!refunded) return;
      await tx.addSoldSeats(refunded.performanceId, -refunded.seats.length);
      await tx.emitOrderEvent('order.refunded', refunded);
      metrics.orderStatus('REFUNDED');
    },
  };
}

const ids = (p: PaymentOutcome) => ({ orderId: p.orderId, userId: p.userId, paymentId: p.paymentId });
export type PaymentOutcomes = ReturnType<typeof createPaymentOutcomes>;
