import { enqueue } from '@ticketping/bus';
import type { EventPayload } from '@ticketping/contracts/events';
import type { Knex } from '@ticketping/db';
import type { Logger } from '@ticketping/logger';
import type { PaymentMetrics } from '../payment-metrics.ts';
import type { GuardedProvider } from '../provider/guarded-provider.ts';
import { SCHEMA, TOPICS } from './payments.events.ts';

export interface ReturnSold { returnId: string; paymentId: string; orderId: string; userId: string; price: number; refund: number; currency: string }

interface DueRow {
  return_id: string; payment_id: string; order_id: string; user_id: string; amount: string | number; currency: string; attempts: number;
  payment_status: string; provider_reference: string | null;
}

const BATCH = 20;
const MAX_BACKOFF_MS = 5 * 60_000;

/** Records the refund a sold return is owed; false when it was recorded before (a redelivery). */
export async function requestReturnRefund(trx: Knex.Transaction, sold: ReturnSold): Promise<boolean> {
  const rows = await trx('return_refunds')
    .insert({ return_id: sold.returnId, payment_id: sold.paymentId, order_id: sold.orderId, user_id: sold.userId, price: sold.price, amount: sold.refund, currency: sold.currency })
    .onConflict('return_id').ignore().returning('return_id');
  return rows.length > 0;
}

/** What of a payment was resold through returns: a refund of the whole payment gives back the rest only. */
export async function resoldAmount(db: Knex | Knex.Transaction, paymentId: string): Promise<number> {
  const row = await db('return_refunds').where('payment_id', paymentId).whereNot('status', 'CANCELLED').sum<{ total: string | null }[]>('price as total');
  return Number(row[0]?.total ?? 0);
}

/**
 * Pays sold returns back, one per transaction with its row locked during the provider call (SKIP
 * LOCKED: replicas share the work). The provider's idempotency key is the return's, so a retry
 * after a lost answer never pays twice; a failure is retried with a growing pause. A payment that
 * is no longer SUCCEEDED (refunded whole meanwhile) owes nothing more: the row is cancelled.
 */
export function createReturnRefunds({ db, provider, logger, metrics, now = () => new Date() }: {
  db: Knex; provider: Pick<GuardedProvider, 'refund'>; logger: Logger; metrics: PaymentMetrics; now?: () => Date;
}) {
  return {
    async refundDue(): Promise<number> {
      let refunded = 0;
      for (let i = 0; i < BATCH; i++) {
        const outcome = await db.transaction(async (trx) => {
          const result = await trx.raw<{ rows: DueRow[] }>(
            `select r.*, p.status as payment_status, p.provider_reference from return_refunds r join payments p on p.id = r.payment_id
              where r.status = 'PENDING' and r.next_attempt_at <= ? order by r.next_attempt_at limit 1 for update of r skip locked`,
            [now()],
          );
          const due = result.rows[0];
          if (!due) return 'none';
          if (due.payment_status !== 'SUCCEEDED') {
            logger.warn({ returnId: due.return_id, paymentId: due.payment_id, paymentStatus: due.payment_status }, 'a sold return\'s payment is no longer refundable in part; nothing more to pay');
            await trx('return_refunds').where('return_id', due.return_id).update({ status: 'CANCELLED' });
            return 'cancelled';
          }
          try {
            await provider.refund({
              paymentId: due.payment_id, reference: due.provider_reference ?? '', amount: Number(due.amount), currency: due.currency,
              reason: 'RETURN_SOLD', idempotencyKey: `return-${due.return_id}`,
            });
          } catch (error) {
            const attempts = due.attempts + 1;
            logger.warn({ err: error, returnId: due.return_id, attempts }, 'return refund failed; retrying later');
            await trx('return_refunds').where('return_id', due.return_id)
              .update({ attempts, next_attempt_at: new Date(now().getTime() + Math.min(1000 * 2 ** attempts, MAX_BACKOFF_MS)) });
            return 'retry';
          }
          await trx('return_refunds').where({ return_id: due.return_id, status: 'PENDING' }).update({ status: 'REFUNDED', refunded_at: trx.fn.now() });
          const payload: EventPayload<'payment.return-refunded'> = {
            returnId: due.return_id, paymentId: due.payment_id, orderId: due.order_id, userId: due.user_id, amount: Number(due.amount), currency: due.currency,
          };
          await enqueue(trx, SCHEMA, { topic: TOPICS.payments, type: 'payment.return-refunded', key: due.order_id, payload });
          metrics.outcome('RETURN_REFUNDED');
          return 'refunded';
        });
        if (outcome === 'none') break;
        if (outcome === 'refunded') refunded++;
      }
      return refunded;
    },
  };
}
