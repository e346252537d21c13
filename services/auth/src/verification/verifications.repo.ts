import type { Knex } from '@ticketping/db';

type Db = Knex | Knex.Transaction;

export interface VerificationRecord { id: string; userId: string; email: string; expiresAt: Date; usedAt: Date | null }
export interface DueVerificationMail { id: string; email: string; token: string; attempts: number }

interface Row { id: string; user_id: string; email: string; expires_at: Date; used_at: Date | null }
const toRecord = (r: Row): VerificationRecord => ({ id: r.id, userId: r.user_id, email: r.email, expiresAt: r.expires_at, usedAt: r.used_at });

/** The verification mails and their tokens (see the migration): the only module naming the table. */
export function createVerificationsRepo(db: Db) {
  return {
    async insert(v: { id: string; userId: string; email: string; tokenHash: string; token: string; expiresAt: Date }): Promise<void> {
      await db('email_verifications').insert({ id: v.id, user_id: v.userId, email: v.email, token_hash: v.tokenHash, token: v.token, expires_at: v.expiresAt });
    },

    async findByHash(tokenHash: string): Promise<VerificationRecord | undefined> {
      const row = (await db('email_verifications').where({ token_hash: tokenHash }).first('id', 'user_id', 'email', 'expires_at', 'used_at')) as Row | undefined;
      return row && toRecord(row);
    },

    async markUsed(id: string): Promise<void> {
      await db('email_verifications').where({ id }).whereNull('used_at').update({ used_at: db.fn.now() });
    },

    /** When this account's mails of the last `windowSeconds` were asked for, oldest first. */
    async requestedSince(userId: string, windowSeconds: number): Promise<Date[]> {
      const rows = (await db('email_verifications').where({ user_id: userId })
        .where('created_at', '>', db.raw(`now() - make_interval(secs => ?)`, [windowSeconds]))
        .orderBy('created_at').select('created_at')) as Array<{ created_at: Date }>;
      return rows.map((r) => r.created_at);
    },

    /** The mails due now, locked for this transaction; another replica skips them. */
    async lockDue(trx: Knex.Transaction, limit: number): Promise<DueVerificationMail[]> {
      const rows = (await trx('email_verifications')
        .whereNull('sent_at').whereNull('failed_at').where('next_attempt_at', '<=', trx.fn.now())
        .orderBy('next_attempt_at').limit(limit).forUpdate().skipLocked()
        .select('id', 'email', 'token', 'attempts')) as Array<{ id: string; email: string; token: string; attempts: number }>;
      return rows.map((r) => ({ id: r.id, email: r.email, token: r.token, attempts: r.attempts }));
    },

    /** Sent: the token leaves the database (its hash stays, to check the link). */
    async markSent(id: string): Promise<void> {
      await db('email_verifications').where({ id }).update({ sent_at: db.fn.now(), token: null, attempts: db.raw('attempts + 1'), last_error: null });
    },

    async markRetry(id: string, delayMs: number, error: string): Promise<void> {
      await db('email_verifications').where({ id }).update({
        attempts: db.raw('attempts + 1'), last_error: error.slice(0, 500), next_attempt_at: db.raw(`now() + make_interval(secs => ?)`, [delayMs / 1000]),
      });
    },

    /** Drops rows whose link expired more than `keepSeconds` ago: their hash confirms nothing any more. */
    async purgeExpired(keepSeconds: number): Promise<number> {
      return db('email_verifications').where('expires_at', '<', db.raw(`now() - make_interval(secs => ?)`, [keepSeconds])).delete();
    },

    async markFailed(id: string, error: string): Promise<void> {
      await db('email_verifications').where({ id }).update({ failed_at: db.fn.now(), token: null, attempts: db.raw('attempts + 1'), last_error: error.slice(0, 500) });
    },
  };
}

export type VerificationsRepo = ReturnType<typeof createVerificationsRepo>;
