import type { Knex } from '@ticketping/db';

type Db = Knex | Knex.Transaction;

export interface DueMail { orderId: string; holderId: string; attempts: number }

/** Asks for the order's mail, once: a second call for the same order does nothing. */
export async function requestOrderMail(trx: Knex.Transaction, orderId: string, holderId: string): Promise<void> {
  await trx('ticket_mails').insert({ order_id: orderId, holder_id: holderId }).onConflict('order_id').ignore();
}

/** The mails due now, locked for this transaction; another replica skips them. */
export async function lockDueMails(trx: Knex.Transaction, limit: number): Promise<DueMail[]> {
  const rows = (await trx('ticket_mails')
    .whereNull('sent_at').whereNull('failed_at').where('next_attempt_at', '<=', trx.fn.now())
    .orderBy('next_attempt_at').limit(limit).forUpdate().skipLocked()
    .select('order_id', 'holder_id', 'attempts')) as Array<{ order_id: string; holder_id: string; attempts: number }>;
  return rows.map((r) => ({ orderId: r.order_id, holderId: r.holder_id, attempts: r.attempts }));
}

export async function markSent(db: Db, orderId: string): Promise<void> {
  await db('ticket_mails').where('order_id', orderId).update({ sent_at: db.fn.now(), attempts: db.raw('attempts + 1'), last_error: null });
}

export async function markRetry(db: Db, orderId: string, delayMs: number, error: string): Promise<void> {
  await db('ticket_mails').where('order_id', orderId).update({
    attempts: db.raw('attempts + 1'), last_error: error.slice(0, 500), next_attempt_at: db.raw(`now() + make_interval(secs => ?)`, [delayMs / 1000]),
  });
}

export async function markFailed(db: Db, orderId: string, error: string): Promise<void> {
  await db('ticket_mails').where('order_id', orderId).update({ attempts: db.raw('attempts + 1'), failed_at: db.fn.now(), last_error: error.slice(0, 500) });
}
