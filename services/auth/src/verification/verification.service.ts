import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Knex } from '@ticketping/db';
import { BadRequestError, NotFoundError, TooManyRequestsError } from '@ticketping/http';
import { createUsersRepo } from '../users/users.repo.ts';
import { createVerificationsRepo } from './verifications.repo.ts';

export interface VerificationSettings {
  /** How long a link works. */
  ttlSeconds: number;
  /** At most one mail per account per this many seconds. */
  resendSeconds: number;
  /** At most this many mails per account per day. */
  maxPerDay: number;
}

export interface EmailVerified { id: string; email: string; emailVerified: true }

const DAY_SECONDS = 86_400;
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const invalid = () => new BadRequestError('This verification link is unknown or has expired; ask for a new mail', { code: 'VERIFICATION_INVALID' });

/**
 * Confirming an e-mail address: a random token per mail (only its hash is kept once the mail
 * went out), followed once within its lifetime. Asking for a mail writes a row that
 * verification-mail.ts sends, in the caller's transaction, so no mail is lost or sent twice by
 * two replicas.
 */
export function createVerificationService({ db, settings }: { db: Knex; settings: VerificationSettings }) {
  /** Adds a verification mail for the account, in the caller's transaction. */
  async function request(trx: Knex.Transaction, user: { id: string; email: string }): Promise<void> {
    const token = randomBytes(32).toString('base64url');
    await createVerificationsRepo(trx).insert({
      id: randomUUID(), userId: user.id, email: user.email, tokenHash: sha256(token), token,
      expiresAt: new Date(Date.now() + settings.ttlSeconds * 1000),
    });
  }

  return {
    request,

    /** Follows a link. Following it again answers the same while it is valid: a fan clicks twice. */
    async verify(token: string): Promise<EmailVerified> {
      return db.transaction(async (trx) => {
        const verifications = createVerificationsRepo(trx);
        const found = await verifications.findByHash(sha256(token));
        if (!found || found.expiresAt.getTime() <= Date.now()) throw invalid();
        if (!(await createUsersRepo(trx).markVerified(found.userId, found.email))) throw invalid();
        await verifications.markUsed(found.id);
        return { id: found.userId, email: found.email, emailVerified: true as const };
      });
    },

    /** A new mail, unless the address is confirmed already ('VERIFIED') or the account asked too often (429). */
    async resend(userId: string): Promise<'SENT' | 'VERIFIED'> {
      return db.transaction(async (trx) => {
        const user = await createUsersRepo(trx).findByIdForUpdate(userId);
        if (!user) throw new NotFoundError('USER_NOT_FOUND', 'The account no longer exists');
        if (user.emailVerified) return 'VERIFIED';
        const asked = await createVerificationsRepo(trx).requestedSince(userId, DAY_SECONDS);
        const now = Date.now();
        const last = asked.at(-1);
        if (last && now - last.getTime() < settings.resendSeconds * 1000) {
          throw new TooManyRequestsError((last.getTime() + settings.resendSeconds * 1000 - now) / 1000, `A verification mail went out less than ${settings.resendSeconds} s ago; look for it first`, 'VERIFICATION_MAIL_LIMITED');
        }
        if (asked.length >= settings.maxPerDay) {
          throw new TooManyRequestsError((asked[0]!.getTime() + DAY_SECONDS * 1000 - now) / 1000, `At most ${settings.maxPerDay} verification mails a day`, 'VERIFICATION_MAIL_LIMITED');
        }
        await request(trx, user);
        return 'SENT';
      });
    },

    /** An administrator confirms the address (checked another way; load tests' fans). */
    async verifyAsAdmin(userId: string): Promise<EmailVerified> {
      const users = createUsersRepo(db);
      const user = await users.findById(userId);
      if (!user || !(await users.markVerified(user.id, user.email))) throw new NotFoundError('USER_NOT_FOUND', 'No account has this id');
      return { id: user.id, email: user.email, emailVerified: true };
    },
  };
}

export type VerificationService = ReturnType<typeof createVerificationService>;
