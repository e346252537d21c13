import type { Knex } from '@ticketping/db';
import type { Logger } from '@ticketping/logger';
import { startMailOutbox, type MailAttachment, type MailOutbox, type Mailer } from '@ticketping/mail';
import type { AccountDirectory } from '../accounts/auth-directory.ts';
import { renderQr } from '../tickets/ticket-files.ts';
import { findHolderOrderTickets } from '../tickets/tickets.repo.ts';
import type { Tickets } from '../tickets/tickets.service.ts';
import type { TicketView } from '../tickets/tickets.types.ts';
import { lockDueMails, markFailed, markRetry, markSent, type DueMail } from './ticket-mails.repo.ts';

export interface TicketMailerDeps {
  db: Knex;
  mailer: Mailer;
  accounts: AccountDirectory;
  tickets: Pick<Tickets, 'codeOf'>;
  logger: Logger;
  /** Where the fan pages are, for the "My tickets" link (e.g. https://tickets.example.org). */
  publicUrl: string;
  pollIntervalMs: number;
  /** Mails sent in one pass; the rest wait for the next. */
  batchSize?: number;
  /** After this many failed attempts a mail is given up (and logged at error level). */
  maxAttempts?: number;
  /**
   * Passes run side by side, each in its own transaction on its own rows (SKIP LOCKED), so a
   * sell-out's mails go out over the mailer's pooled connections, not one after the other. Each
   * holds a database connection while it sends, taken from the pool the event handlers use. Default 2.
   */
  concurrency?: number;
}

export interface TicketMailer {
  /** One pass over the due mails; returns how many were sent. Tests call it directly. */
  sendDue(): Promise<number>;
  stop(): Promise<void>;
}

const seatText = (t: TicketView) => (t.seat ? `Section ${t.seat.section}, row ${t.seat.row}, seat ${t.seat.number}` : 'Seat on your ticket');
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Sends each confirmed order's tickets to its holder, from `ticket_mails` (written with the
 * tickets), through packages/mail's outbox sender: one order's mail at a time per locked row, at
 * least once, the same Message-ID when a crash sends it again.
 */
export function startTicketMailer(deps: TicketMailerDeps): TicketMailer {
  const { db, mailer, accounts, tickets, logger, publicUrl, batchSize = 10, maxAttempts = 8, concurrency = 2 } = deps;
  const ticketsUrl = `${publicUrl.replace(/\/$/, '')}/#/tickets`;

  async function compose(trx: Knex.Transaction, mail: DueMail) {
    const contact = await accounts.findContact(mail.holderId);
    if (!contact) return undefined;
    const views = (await findHolderOrderTickets(trx, mail.holderId, mail.orderId)).filter((v) => v.status === 'VALID');
    if (views.length === 0) return { to: contact.email, views, attachments: [] as MailAttachment[] };
    const attachments: MailAttachment[] = [];
    for (const [i, view] of views.entries()) {
      // A rotating code in a mail would be dead in a minute: those tickets are shown on the page only.
      const code = view.codeMode === 'STATIC' ? await tickets.codeOf(view) : null;
      if (code) attachments.push({ filename: `ticket-${i + 1}.png`, content: (await renderQr(code.code, 'png')) as Buffer, contentType: 'image/png', cid: `ticket-${i + 1}` });
    }
    return { to: contact.email, views, attachments };
  }

  async function sendOne(trx: Knex.Transaction, mail: DueMail): Promise<boolean> {
    const composed = await compose(trx, mail);
    if (!composed) {
      logger.warn({ orderId: mail.orderId }, 'ticket mail: the holder has no account any more; not sent');
      await markFailed(trx, mail.orderId, 'no such account');
      return false;
    }
    const { to, views, attachments } = composed;
    if (views.length === 0) {
      // Refunded or transferred before the mail went out: nothing left to send.
      await markSent(trx, mail.orderId);
      return false;
    }
    const title = views[0]!.title ?? 'your show';
    const lines = views.map((v) => `${seatText(v)}${v.startsAt ? ` · ${v.startsAt.toISOString().slice(0, 16).replace('T', ' ')} UTC` : ''}`);
    const images = new Set(attachments.map((a) => a.cid));
    await mailer.send({
      to,
      subject: `Your tickets for ${title}`,
      text: `Your tickets for ${title}:\n\n${lines.join('\n')}\n\nShow them at the door from My tickets: ${ticketsUrl}\n`,
      html: `<p>Your tickets for <strong>${escapeHtml(title)}</strong>:</p><ul>${views.map((v, i) =>
        `<li>${escapeHtml(lines[i]!)}${images.has(`ticket-${i + 1}`) ? `<br><img src="cid:ticket-${i + 1}" alt="QR code of ticket ${i + 1}" width="240" height="240">` : ''}</li>`).join('')}</ul>` +
        `<p>Show them at the door from <a href="${escapeHtml(ticketsUrl)}">My tickets</a>.</p>`,
      attachments,
      headers: { 'Message-ID': `<order-${mail.orderId}@tickets.ticketping>` },
    });
    await markSent(trx, mail.orderId);
    return true;
  }

  const outbox: MailOutbox<DueMail, Knex.Transaction> = {
    transaction: (work) => db.transaction(work),
    lockDue: lockDueMails,
    send: sendOne,
    markRetry: (trx, mail, delayMs, error) => markRetry(trx, mail.orderId, delayMs, error),
    markFailed: (trx, mail, error) => markFailed(trx, mail.orderId, error),
    logFields: (mail) => ({ orderId: mail.orderId }),
  };
  const sender = startMailOutbox(outbox, { name: 'ticket mail', logger, pollIntervalMs: deps.pollIntervalMs, batchSize, maxAttempts, concurrency });

  return { sendDue: () => sender.sendDue(), stop: () => sender.stop() };
}
