import { EVENTS } from '@ticketping/contracts/events';
import { handleOnce, type BusEvent, type HandleResult } from '@ticketping/bus';
import type { Knex } from '@ticketping/db';
import type { Logger } from '@ticketping/logger';
import { saveOrder, setOrderStatus } from './order-copy/order-copy.repo.ts';
import { SCHEMA, TOPICS } from './payments/payments.events.ts';
import { requestRefund } from './payments/payments.repo.ts';
import { requestReturnRefund } from './payments/return-refunds.ts';

/** Consumer group and inbox name (docs/events.md). */
export const CONSUMER = 'payment';
export const CONSUMED_TOPICS = [TOPICS.orders];

// Payment reads only what it keeps of each event (a tolerant reader), typed as the contract says.
const orderCreated = EVENTS['order.created'].payload
  .pick({ orderId: true, userId: true, amount: true, currency: true, expiresAt: true })
  .transform((o) => ({ ...o, expiresAt: new Date(o.expiresAt) }));
const orderChanged = EVENTS['order.cancelled'].payload.pick({ orderId: true });
const returnSold = EVENTS['return.sold'].payload.pick({ returnId: true, paymentId: true, orderId: true, userId: true, price: true, refund: true, currency: true });
const refundRequested = EVENTS['order.refund-requested'].payload.pick({ orderId: true, paymentId: true, reason: true });

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
    if (type !== 'order.created' && type !== 'order.refund-requested' && type !== 'return.sold' && !STATUS_AFTER[type]) {
      logger.debug({ type, eventId: event.id }, 'event type not used by payment');
      return 'applied';
    }
    const result = await handleOnce(db, SCHEMA, CONSUMER, event, async (trx) => {
      if (type === 'order.created') {
        await saveOrder(trx, { ...orderCreated.parse(event.payload), status: 'PENDING_PAYMENT' });
      } else if (type === 'return.sold') {
        // once per return, however often the event comes: the row's primary key is the return
        await requestReturnRefund(trx, returnSold.parse(event.payload));
      } else if (type === 'order.refund-requested') {
        const refund = refundRequested.parse(event.payload);
        if (!(await requestRefund(trx, refund.paymentId, refund.reason))) logger.info({ ...refund }, 'refund requested for a payment that is not a succeeded one; nothing to do');
      } else {
        await setOrderStatus(trx, orderChanged.parse(event.payload).orderId, STATUS_AFTER[type]!);
      }
    });
    if ((type === 'order.refund-requested' || type === 'return.sold') && result === 'applied') onRefundRequested();
    return result;
  };
}
