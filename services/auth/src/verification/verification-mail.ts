import type { Knex } from '@ticketping/db';
import type { Logger } from '@ticketping/logger';
import { startMailOutbox, type MailOutbox, type Mailer } from '@ticketping/mail';
import { runPeriodically } from '@ticketping/runtime';
import { createVerificationsRepo, type DueVerificationMail } from './verifications.repo.ts';

export interface VerificationMailerDeps {
  db: Knex;
  mailer: Mailer;
  logger: Logger;
  /** Where the fan pages are: the link is `<publicUrl>/#/verify?token=…`. */
  publicUrl: string;
  ttlSeconds: number;
  pollIntervalMs: number;
  batchSize?: number;
  maxAttempts?: number;
  onSent?: () => void;
}

export interface VerificationMailer {
  /** One pass over the due mails; returns how many were sent. Tests call it directly. */
  sendDue(): Promise<number>;
  /** Drops verification rows a day past their expiry (done hourly by the loop); returns how many. */
  purgeExpired(): Promise<number>;
  stop(): Promise<void>;
}

const DAY_SECONDS = 86_400;
const PURGE_EVERY_MS = 3600_000;
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Sends the verification mails from `email_verifications`, through packages/mail's outbox sender
 * (locked rows, retries with backoff, the same Message-ID when a crash sends one again), and drops
 * rows a day past their expiry every hour.
 */
export function startVerificationMailer(deps: VerificationMailerDeps): VerificationMailer {
  const { db, mailer, logger } = deps;
  const base = deps.publicUrl.replace(/\/$/, '');
  const hours = Math.round(deps.ttlSeconds / 3600);

  const outbox: MailOutbox<DueVerificationMail, Knex.Transaction> = {
    transaction: (work) => db.transaction(work),
    lockDue: (trx, limit) => createVerificationsRepo(trx).lockDue(trx, limit),
    async send(trx, mail) {
      const link = `${base}/#/verify?token=${mail.token}`;
      await mailer.send({
        to: mail.email,
        subject: 'Confirm your e-mail address',
        text: `Welcome to TicketPing.\n\nConfirm your address by opening this link (it works for ${hours} hours):\n${link}\n\nOr paste this code on the verification page: ${mail.token}\n\nSome sales admit only confirmed addresses to their waiting room.\nIf you did not sign up, ignore this mail.\n`,
        html: `<p>Welcome to TicketPing.</p><p><a href="${escapeHtml(link)}">Confirm your e-mail address</a> (the link works for ${hours} hours).</p>` +
          `<p>Or paste this code on the verification page: <code>${escapeHtml(mail.token)}</code></p><p>If you did not sign up, ignore this mail.</p>`,
        headers: { 'Message-ID': `<verify-${mail.id}@auth.ticketping>` },
      });
      await createVerificationsRepo(trx).markSent(mail.id);
      return true;
    },
    markRetry: (trx, mail, delayMs, error) => createVerificationsRepo(trx).markRetry(mail.id, delayMs, error),
    markFailed: (trx, mail, error) => createVerificationsRepo(trx).markFailed(mail.id, error),
    logFields: (mail) => ({ verificationId: mail.id }),
  };
  const sender = startMailOutbox(outbox, {
    name: 'verification mail', logger, pollIntervalMs: deps.pollIntervalMs,
    ...(deps.batchSize ? { batchSize: deps.batchSize } : {}), ...(deps.maxAttempts ? { maxAttempts: deps.maxAttempts } : {}), ...(deps.onSent ? { onSent: deps.onSent } : {}),
  });

  // A day past expiry a row answers nothing the fan could still need (a second click on an
  // expired link is refused either way); without this the table grows by one row per sign-up.
  const purgeExpired = () => createVerificationsRepo(db).purgeExpired(DAY_SECONDS);
  const purging = runPeriodically('verification-purge', PURGE_EVERY_MS, logger, purgeExpired);
  purging.wake(); // once at start too: a service restarted more often than hourly still purges

  return {
    sendDue: () => sender.sendDue(),
    purgeExpired,
    async stop() {
      await Promise.all([sender.stop(), purging.stop()]);
    },
  };
}
