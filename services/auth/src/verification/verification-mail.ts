import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from '@ticketping/db';
import type { Logger } from '@ticketping/logger';
import { MailError, type Mailer } from '@ticketping/mail';
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
 * Sends the verification mails from `email_verifications`. The row stays locked while its mail
 * goes out, so two replicas never send the same one; a crash after the server took the mail but
 * before the commit sends it again with the same Message-ID (at least once, as packages/mail says).
 */
export function startVerificationMailer(deps: VerificationMailerDeps): VerificationMailer {
  const { db, mailer, logger, batchSize = 20, maxAttempts = 8 } = deps;
  const base = deps.publicUrl.replace(/\/$/, '');
  const hours = Math.round(deps.ttlSeconds / 3600);

  async function sendOne(mail: DueVerificationMail): Promise<void> {
    const link = `${base}/#/verify?token=${mail.token}`;
    await mailer.send({
      to: mail.email,
      subject: 'Confirm your e-mail address',
      text: `Welcome to TicketPing.\n\nConfirm your address by opening this link (it works for ${hours} hours):\n${link}\n\nOr paste this code on the verification page: ${mail.token}\n\nSome sales admit only confirmed addresses to their waiting room.\nIf you did not sign up, ignore this mail.\n`,
      html: `<p>Welcome to TicketPing.</p><p><a href="${escapeHtml(link)}">Confirm your e-mail address</a> (the link works for ${hours} hours).</p>` +
        `<p>Or paste this code on the verification page: <code>${escapeHtml(mail.token)}</code></p><p>If you did not sign up, ignore this mail.</p>`,
      headers: { 'Message-ID': `<verify-${mail.id}@auth.ticketping>` },
    });
  }

  async function sendDue(): Promise<number> {
    return db.transaction(async (trx) => {
      const repo = createVerificationsRepo(trx);
      let sent = 0;
      for (const mail of await repo.lockDue(trx, batchSize)) {
        try {
          await sendOne(mail);
          await repo.markSent(mail.id);
          deps.onSent?.();
          sent++;
        } catch (error) {
          const permanent = error instanceof MailError && !error.transient;
          // the detail names the server and quotes its reply; the title alone says too little to act on
          const message = (error instanceof MailError && error.detail) || (error as Error).message;
          if (permanent || mail.attempts + 1 >= maxAttempts) {
            logger.error({ err: error, verificationId: mail.id, attempts: mail.attempts + 1 }, 'verification mail given up');
            await repo.markFailed(mail.id, message);
          } else {
            // Exponential backoff from 2 s, at most 10 min: a mail server down for a while is not hammered.
            const delayMs = Math.min(600_000, 2000 * 2 ** mail.attempts);
            logger.warn({ err: error, verificationId: mail.id, retryInMs: delayMs }, 'verification mail not sent; will retry');
            await repo.markRetry(mail.id, delayMs, message);
          }
        }
      }
      return sent;
    });
  }

  // A day past expiry a row answers nothing the fan could still need (a second click on an
  // expired link is refused either way); without this the table grows by one row per sign-up.
  const purgeExpired = () => createVerificationsRepo(db).purgeExpired(DAY_SECONDS);
  let purgedAt = 0;

  const controller = new AbortController();
  const loop = (async () => {
    while (!controller.signal.aborted) {
      try {
        if (Date.now() - purgedAt > PURGE_EVERY_MS) {
          purgedAt = Date.now();
          await purgeExpired();
        }
        // a full batch means more are due: go on at once rather than after the interval
        if ((await sendDue()) >= batchSize) continue;
      } catch (error) {
        logger.error({ err: error }, 'verification mail pass failed');
      }
      await sleep(deps.pollIntervalMs, undefined, { signal: controller.signal }).catch(() => undefined);
    }
  })();

  return {
    sendDue,
    purgeExpired,
    async stop() {
      controller.abort();
      await loop;
    },
  };
}
