import type { Knex } from '@ticketping/db';
import type { Logger } from '@ticketping/logger';
import type { PaymentMetrics } from '../payment-metrics.ts';
import { emitPaymentEvent } from './payments.events.ts';
import { lockUnreconciled, requestRefund, scheduleReconcile } from './payments.repo.ts';

export interface OrderReconciliationDeps {
  db: Knex;
  metrics: PaymentMetrics;
  logger: Logger;
  /** How long after a payment succeeded its order may still be on its way to CONFIRMED. */
  afterMs: number;
  /** Called when refunds were requested, to wake the refund worker. */
  onRefundRequested: () => void;
  now?: () => Date;
}

/** Order statuses (payment's copy, from booking's events) from which an order can never be sold again. */
const UNSELLABLE = new Set(['EXPIRED', 'CANCELLED', 'REFUNDED']);
const BATCH = 50;
const MAX_ANNOUNCE_PAUSE_MS = 3600_000;

/**
 * Level-triggered: every SUCCEEDED payment ends with its order CONFIRMED or its money given back,
 * whatever event was lost or dead-lettered on the way, with no manual step. For each SUCCEEDED
 * payment, not being refunded, whose order is not CONFIRMED `afterMs` after it succeeded:
 * - the order can no longer be sold (expired, cancelled, refunded): refund it here (what booking
 *   would have asked for);
 * - the order still waits (or payment never heard otherwise): announce `payment.succeeded` again,
 *   under a new event id so booking's inbox does not skip it. Booking confirms the order, or asks
 *   for the refund when it cannot; an order already confirmed by this payment is left alone. The
 *   announcements repeat with doubling pauses (capped at an hour) until the order's status arrives.
 */
export function createOrderReconciliation({ db, metrics, logger, afterMs, onRefundRequested, now = () => new Date() }: OrderReconciliationDeps) {
  return {
    async reconcileOrders(): Promise<{ refundsRequested: number; announced: number }> {
      const at = now();
      const outcome = await db.transaction(async (trx) => {
        let refundsRequested = 0;
        let announced = 0;
        for (const payment of await lockUnreconciled(trx, { succeededBefore: new Date(at.getTime() - afterMs), now: at, limit: BATCH })) {
          const fields = { paymentId: payment.id, orderId: payment.orderId, orderStatus: payment.orderStatus };
          if (payment.orderStatus && UNSELLABLE.has(payment.orderStatus)) {
            if (await requestRefund(trx, payment.id, `ORDER_${payment.orderStatus}`)) {
              refundsRequested++;
              metrics.reconciled('refund_requested');
              logger.warn(fields, 'a succeeded payment of an order that cannot be sold was not being refunded; refunding it');
            }
            continue;
          }
          const attempts = payment.reconcileAttempts + 1;
          const pause = Math.min(Math.max(afterMs, 1000) * 2 ** (attempts - 1), MAX_ANNOUNCE_PAUSE_MS);
          await emitPaymentEvent(trx, 'payment.succeeded', payment);
          await scheduleReconcile(trx, payment.id, attempts, new Date(at.getTime() + pause));
          announced++;
          metrics.reconciled('announced');
          logger.warn({ ...fields, attempts }, 'a succeeded payment’s order is not confirmed yet; announcing the payment to booking again');
        }
        return { refundsRequested, announced };
      });
      if (outcome.refundsRequested > 0) onRefundRequested();
      return outcome;
    },
  };
}

export type OrderReconciliation = ReturnType<typeof createOrderReconciliation>;
