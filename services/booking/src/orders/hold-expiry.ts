import type { Knex } from '@ticketping/db';
import type { BookingMetrics } from '../booking-metrics.ts';
import { emitOrderEvent } from './orders.events.ts';
import { lockExpiredOrderIds, transition } from './orders.repo.ts';

const BATCH = 200;

/**
 * Expires pending orders whose hold ran out (plus the grace period) and frees their seats. Safe
 * to run on every replica at once: each batch takes its rows with FOR UPDATE SKIP LOCKED.
 * Returns how many orders it expired.
 */
export async function expireDueOrders(db: Knex, metrics: BookingMetrics, options: { graceSeconds: number; now?: Date }): Promise<number> {
  const cutoff = new Date((options.now ?? new Date()).getTime() - options.graceSeconds * 1000);
  let total = 0;
  for (;;) {
    const expired = await db.transaction(async (trx) => {
      const ids = await lockExpiredOrderIds(trx, cutoff, BATCH);
      for (const id of ids) {
        const order = await transition(trx, id, 'PENDING_PAYMENT', 'EXPIRED');
        if (order) await emitOrderEvent(trx, 'order.expired', order);
      }
      return ids.length;
    });
    total += expired;
    if (expired < BATCH) break;
  }
  if (total) {
    metrics.holdsExpired(total);
    metrics.orderStatus('EXPIRED', total);
  }
  return total;
}
