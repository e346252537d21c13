import type { Knex } from '@ticketping/db';
import type { Logger } from '@ticketping/logger';
import { startMailOutbox, type MailOutbox, type MailOutboxSender, type Mailer } from '@ticketping/mail';
import {
  lockDueOfferMails, markOfferMailFailed, markOfferMailRetry, markOfferMailSent, offerMailFacts, type DueOfferMail, type OfferMailFacts,
} from './offer-mails.repo.ts';

/** Where an account's mail goes: only auth knows (its internal contact lookup). */
export interface ContactDirectory {
  findContact(userId: string): Promise<{ email: string } | undefined>;
}

/** auth's `POST /internal/v1/users/contact`; a failure throws, so the outbox retries the mail later. */
export function authContacts({ authUrl, internalToken, timeoutMs }: { authUrl: string; internalToken: string; timeoutMs: number }): ContactDirectory {
  return {
    async findContact(userId) {
      const res = await fetch(new URL('/internal/v1/users/contact', authUrl), {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-internal-token': internalToken }, body: JSON.stringify({ id: userId }), signal: AbortSignal.timeout(timeoutMs),
      });
      if (res.status === 404 || res.status === 400) return undefined;
      if (!res.ok) throw new Error(`auth's contact lookup answered ${res.status}`);
      const body = (await res.json()) as { email?: unknown };
      if (typeof body.email !== 'string') throw new Error('auth\'s contact lookup answered without an address');
      return { email: body.email };
    },
  };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const money = (amount: number, currency: string) => `${amount.toLocaleString('en')} ${currency}`;

/** The offer e-mail: the seats, until when they are held, and the link to claim them. */
export function composeOfferMail(facts: OfferMailFacts, claimUrl: string): { subject: string; text: string; html: string } {
  const seats = facts.seats.map((s) => `Section ${s.section}, row ${s.row}, seat ${s.number} (${money(s.price, s.currency)})`);
  const subject = `Seats for ${facts.title} are held for you until ${utc(facts.expiresAt)}`;
  const text = `Seats came back for ${facts.title} on ${utc(facts.startsAt)}, and you are next on the waitlist:\n\n${seats.join('\n')}\n\n` +
    `They are held for you until ${utc(facts.expiresAt)}. Claim them here: ${claimUrl}\n\nAfter that they go to the next fan waiting.\n`;
  const html = `<p>Seats came back for <strong>${escapeHtml(facts.title)}</strong> on ${utc(facts.startsAt)}, and you are next on the waitlist:</p>` +
    `<ul>${seats.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ul>` +
    `<p>They are held for you until <strong>${utc(facts.expiresAt)}</strong>. <a href="${escapeHtml(claimUrl)}">Claim them</a>.</p>` +
    '<p>After that they go to the next fan waiting.</p>';
  return { subject, text, html };
}

export interface OfferMailerDeps {
  db: Knex;
  mailer: Mailer;
  contacts: ContactDirectory;
  logger: Logger;
  /** Where the fan pages are; the claim link is `<publicUrl>/#/waitlist/<performanceId>`. */
  publicUrl: string;
  pollIntervalMs: number;
  now?: () => Date;
}

/**
 * Sends each offer's e-mail from `offer_mails` (written with the offer) through packages/mail's
 * outbox sender. An offer claimed, declined or lapsed before its mail goes out is not mailed: the
 * fan would be sent to seats that are no longer theirs.
 */
export function startOfferMailer(deps: OfferMailerDeps): MailOutboxSender {
  const { db, mailer, contacts, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const base = deps.publicUrl.replace(/\/$/, '');

  async function send(trx: Knex.Transaction, mail: DueOfferMail): Promise<boolean> {
    const facts = await offerMailFacts(trx, mail.offerId);
    if (!facts || facts.status !== 'OPEN' || facts.expiresAt <= now()) {
      await markOfferMailSent(trx, mail.offerId);
      return false;
    }
    const contact = await contacts.findContact(mail.userId);
    if (!contact) {
      logger.warn({ offerId: mail.offerId }, 'offer mail: the fan has no account any more; not sent');
      await markOfferMailFailed(trx, mail.offerId, 'no such account');
      return false;
    }
    const composed = composeOfferMail(facts, `${base}/#/waitlist/${facts.performanceId}`);
    await mailer.send({ to: contact.email, ...composed, headers: { 'Message-ID': `<offer-${mail.offerId}@booking.ticketping>` } });
    await markOfferMailSent(trx, mail.offerId);
    return true;
  }

  const outbox: MailOutbox<DueOfferMail, Knex.Transaction> = {
    transaction: (work) => db.transaction(work),
    lockDue: lockDueOfferMails,
    send,
    markRetry: (trx, mail, delayMs, error) => markOfferMailRetry(trx, mail.offerId, delayMs, error),
    markFailed: (trx, mail, error) => markOfferMailFailed(trx, mail.offerId, error),
    logFields: (mail) => ({ offerId: mail.offerId }),
  };
  return startMailOutbox(outbox, { name: 'offer mail', logger, pollIntervalMs: deps.pollIntervalMs });
}
