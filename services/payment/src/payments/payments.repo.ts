import type { Knex } from '@ticketping/db';
import type { Payment, PaymentStatus } from './payments.types.ts';

export type Db = Knex | Knex.Transaction;

interface PaymentRow {
  id: string; order_id: string; user_id: string; amount: number; currency: string; status: PaymentStatus; method_type: string;
  card_last4: string | null; provider: string; provider_reference: string | null; failure_reason: string | null; idempotency_key: string;
  refund_requested_at: Date | null; refund_reason: string | null; refund_attempts: number; created_at: Date; updated_at: Date;
  reconcile_attempts?: number;
}

const toPayment = (r: PaymentRow): Payment => ({
  id: r.id, orderId: r.order_id, userId: r.user_id, amount: r.amount, currency: r.currency, status: r.status, methodType: r.method_type,
  cardLast4: r.card_last4, provider: r.provider, providerReference: r.provider_reference, failureReason: r.failure_reason,
  idempotencyKey: r.idempotency_key, refundRequestedAt: r.refund_requested_at, refundReason: r.refund_reason, refundAttempts: r.refund_attempts,
  createdAt: r.created_at, updatedAt: r.updated_at,
});

export async function insertPayment(db: Db, p: Payment): Promise<void> {
  await db('payments').insert({
    id: p.id, order_id: p.orderId, user_id: p.userId, amount: p.amount, currency: p.currency, status: p.status, method_type: p.methodType,
    card_last4: p.cardLast4, provider: p.provider, idempotency_key: p.idempotencyKey, created_at: p.createdAt, updated_at: p.updatedAt,
  });
}

/** With `userId`, only that fan's payment. */
export async function findPayment(db: Db, id: string, userId?: string): Promise<Payment | undefined> {
  const query = db('payments').where('id', id);
  if (userId !== undefined) query.andWhere('user_id', userId);
  const row = (await query.first()) as PaymentRow | undefined;
  return row && toPayment(row);
}

export async function findPaymentByKey(db: Db, userId: string, idempotencyKey: string): Promise<Payment | undefined> {
  const row = (await db('payments').where({ user_id: userId, idempotency_key: idempotencyKey }).first()) as PaymentRow | undefined;
  return row && toPayment(row);
}

/** The order's payment that is in flight or succeeded, if any. */
export async function findLivePayment(db: Db, orderId: string): Promise<Payment | undefined> {
  const row = (await db('payments').where('order_id', orderId).whereIn('status', ['PENDING', 'SUCCEEDED']).first()) as PaymentRow | undefined;
  return row && toPayment(row);
}

/** Compare-and-set PENDING → SUCCEEDED | FAILED: of a request and the reconciler, one settles it. */
export async function settle(trx: Knex.Transaction, id: string, to: 'SUCCEEDED' | 'FAILED', details: { reference?: string; failureReason?: string }): Promise<Payment | undefined> {
  const rows = (await trx('payments')
    .where({ id, status: 'PENDING' })
    .update({ status: to, provider_reference: details.reference ?? null, failure_reason: details.failureReason ?? null, updated_at: trx.fn.now() })
    .returning('*')) as PaymentRow[];
  return rows[0] && toPayment(rows[0]);
}

/** Payments left PENDING (a timeout, a crash) for longer than any request could still be running. */
export async function lockStalePending(trx: Knex.Transaction, before: Date, limit: number): Promise<Payment[]> {
  const rows = (await trx('payments').where('status', 'PENDING').andWhere('updated_at', '<', before).orderBy('updated_at').limit(limit).forUpdate().skipLocked()) as PaymentRow[];
  return rows.map(toPayment);
}

/**
 * SUCCEEDED payments, not being refunded, that succeeded before `succeededBefore` and whose order
 * (payment's copy) is not CONFIRMED, each with the copy's status; locked (SKIP LOCKED) so replicas
 * share the work. Announcements already made wait for `next_reconcile_at`.
 */
export async function lockUnreconciled(
  trx: Knex.Transaction,
  { succeededBefore, now, limit }: { succeededBefore: Date; now: Date; limit: number },
): Promise<Array<Payment & { orderStatus: string | null; reconcileAttempts: number }>> {
  const rows = (await trx('payments as p')
    .leftJoin('orders as o', 'o.order_id', 'p.order_id')
    .where('p.status', 'SUCCEEDED')
    .whereNull('p.refund_requested_at')
    .andWhere('p.updated_at', '<', succeededBefore)
    .andWhere((q) => q.whereNull('p.next_reconcile_at').orWhere('p.next_reconcile_at', '<=', now))
    .andWhere((q) => q.whereNull('o.status').orWhereNot('o.status', 'CONFIRMED'))
    .orderBy('p.updated_at')
    .limit(limit)
    .forUpdate('p')
    .skipLocked()
    .select('p.*', 'o.status as order_status')) as Array<PaymentRow & { order_status: string | null }>;
  return rows.map((r) => ({ ...toPayment(r), orderStatus: r.order_status, reconcileAttempts: r.reconcile_attempts ?? 0 }));
}

export async function scheduleReconcile(trx: Knex.Transaction, id: string, attempts: number, nextAt: Date): Promise<void> {
  await trx('payments').where('id', id).update({ reconcile_attempts: attempts, next_reconcile_at: nextAt });
}

/** A PENDING payment the provider does not know yet: asked again after the others (updated_at orders the line). */
export async function postponeSettlement(trx: Knex.Transaction, id: string): Promise<void> {
  await trx('payments').where({ id, status: 'PENDING' }).update({ updated_at: trx.fn.now() });
}

/** Marks a succeeded payment for refund; false if it is not (or no longer) a succeeded payment. */
export async function requestRefund(trx: Knex.Transaction, id: string, reason: string): Promise<boolean> {
  const updated = await trx('payments')
    .where({ id, status: 'SUCCEEDED' })
    .whereNull('refund_requested_at')
    .update({ refund_requested_at: trx.fn.now(), refund_reason: reason, next_refund_attempt_at: trx.fn.now(), updated_at: trx.fn.now() });
  return updated > 0;
}

/** The next refund that is due, locked so no other replica refunds it at the same time. */
export async function lockNextRefundDue(trx: Knex.Transaction, now: Date): Promise<Payment | undefined> {
  const row = (await trx('payments')
    .where('status', 'SUCCEEDED')
    .whereNotNull('refund_requested_at')
    .andWhere('next_refund_attempt_at', '<=', now)
    .orderBy('next_refund_attempt_at')
    .forUpdate()
    .skipLocked()
    .first()) as PaymentRow | undefined;
  return row && toPayment(row);
}

export async function markRefunded(trx: Knex.Transaction, id: string): Promise<Payment | undefined> {
  const rows = (await trx('payments').where({ id, status: 'SUCCEEDED' }).update({ status: 'REFUNDED', updated_at: trx.fn.now() }).returning('*')) as PaymentRow[];
  return rows[0] && toPayment(rows[0]);
}

export async function scheduleRefundRetry(trx: Knex.Transaction, id: string, attempts: number, nextAttemptAt: Date): Promise<void> {
  await trx('payments').where('id', id).update({ refund_attempts: attempts, next_refund_attempt_at: nextAttemptAt });
}
