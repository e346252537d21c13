import { z } from 'zod';
import { handleOnce, type BusEvent, type HandleResult } from '@ticketping/bus';
import type { Knex } from '@ticketping/db';
import type { Logger } from '@ticketping/logger';
import { saveOrder, setOrderStatus } from './order-copy/order-copy.repo.ts';
import { SCHEMA, TOPICS } from './payments/payments.events.ts';
import { requestRefund } from './payments/payments.repo.ts';

/** Consumer group and inbox name (docs/events.md). */
export const CONSUMER = 'payment';
export const CONSUMED_TOPICS = [TOPICS.orders];

const orderCreated = z.object({
  orderId: z.uuid(), userId: z.string().min(1), amount: z.number().int().nonnegative(), currency: z.string().length(3),
  expiresAt: z.iso.datetime({ offset: true }).transform((s) => new Date(s)),
});
const orderChanged = z.object({ orderId: z.uuid() });
const refundRequested = z.object({ orderId: z.uuid(), paymentId: z.uuid(), reason: z.string().min(1) });

const STATUS_AFTER: Record<string, string> = {
  'order.confirmed': 'CONFIRMED', 'order.cancelled': 'CANCELLED', 'order.expired': 'EXPIRED', 'order.refunded': 'REFUNDED',
};

/**
 * Applies booking's order events exactly once (inbox). A payload that does not parse throws, so
 * the bus retries it and then dead-letters it. `onRefundRequested` runs after the commit, to wake
 * the refund worker instead of waiting for its next tick.
 */
export function createEventHandler({ db, logger, onRefundRequested }: { db: Knex; logger: Logger; onRefundRequested: () => void }) {
  return async function handleEvent(event: BusEvent): Promise<HandleResult> {
    const { type } = event;
    if (type !== 'order.created' && type !== 'order.refund-requested' && !STATUS_AFTER[type]) {
      logger.debug({ type, eventId: event.id }, 'event type not used by payment');
      return 'applied';
    }
    const result = await handleOnce(db, SCHEMA, CONSUMER, event, async (trx) => {
      if (type === 'order.created') {
        await saveOrder(trx, { ...orderCreated.parse(event.payload), status: 'PENDING_PAYMENT' });
      } else if (type === 'order.refund-requested') {
        const refund = refundRequested.parse(event.payload);
        if (!(await requestRefund(trx, refund.paymentId, refund.reason))) logger.info({ ...refund }, 'refund requested for a payment that is not a succeeded one; nothing to do');
      } else {
        await setOrderStatus(trx, orderChanged.parse(event.payload).orderId, STATUS_AFTER[type]!);
      }
    });
    if (type === 'order.refund-requested' && result === 'applied') onRefundRequested();
    return result;
  };
}
