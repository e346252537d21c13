import type { Knex } from '@ticketping/db';
import type { Logger } from '@ticketping/logger';
import type { BookingMetrics } from '../booking-metrics.ts';
import { emitOrderEvent, emitRefundRequested } from './orders.events.ts';
import { lockLiveOrders, transition } from './orders.repo.ts';

/**
 * A cancelled performance owes every fan their money or their hold back, in the same transaction
 * that records the cancellation: holds still waiting for payment are cancelled (the seats are
 * released, and a payment that still arrives is refunded as for any cancelled order), and every
 * paid order is sent to payment for a refund (it becomes REFUNDED when payment reports back).
 */
export async function settleCancelledPerformance(trx: Knex.Transaction, performanceId: string, deps: { logger: Logger; metrics: BookingMetrics }): Promise<void> {
  const live = await lockLiveOrders(trx, performanceId);
  let cancelled = 0;
  let refunds = 0;
  for (const order of live) {
    if (order.status === 'PENDING_PAYMENT') {
      const updated = await transition(trx, order.id, 'PENDING_PAYMENT', 'CANCELLED');
      if (updated) {
        await emitOrderEvent(trx, 'order.cancelled', updated);
        cancelled++;
      }
    } else if (order.paymentId) {
      await emitRefundRequested(trx, { orderId: order.id, userId: order.userId, paymentId: order.paymentId, reason: 'PERFORMANCE_CANCELLED' });
      refunds++;
    }
  }
  if (cancelled) deps.metrics.orderStatus('CANCELLED', cancelled);
  deps.logger.info({ performanceId, cancelledHolds: cancelled, refundsRequested: refunds }, 'performance cancelled: holds released, paid orders sent for refund');
}
