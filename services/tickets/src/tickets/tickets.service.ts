import { randomUUID } from 'node:crypto';
import type { Knex } from '@ticketping/db';
import type { AccountDirectory } from '../accounts/auth-directory.ts';
import { findPerformance } from '../catalog-copy/catalog-copy.repo.ts';
import { deriveTicketKey, rotateCode, signCode, STEP_SECONDS, toBase64Url } from '../codes/codes.ts';
import type { TicketKeys } from '../codes/signing-keys.ts';
import type { TicketsMetrics } from '../tickets-metrics.ts';
import * as errors from './tickets.errors.ts';
import { emitTicketEvent } from './tickets.events.ts';
import { findHolderTicket, listHolderTickets, lockTicket, transferTicket } from './tickets.repo.ts';
import type { TicketView } from './tickets.types.ts';

/** A ticket's code as its holder gets it. Rotating: the page makes the current code from `base` and `key`. */
export type TicketCode =
  | { mode: 'STATIC'; code: string }
  | { mode: 'ROTATING'; code: string; base: string; key: string; stepSeconds: number };

export interface TicketsDeps {
  db: Knex;
  keys: Promise<TicketKeys>;
  accounts: AccountDirectory;
  metrics: TicketsMetrics;
  transferLimit: number;
  now?: () => number;
}

export function createTickets({ db, keys, accounts, metrics, transferLimit, now = Date.now }: TicketsDeps) {
  /** A revoked ticket has no code: there is nothing to show at the door. */
  async function codeOf(ticket: TicketView): Promise<TicketCode | null> {
    if (ticket.status !== 'VALID') return null;
    const { signer } = await keys;
    const payload = { kid: signer.kid, mode: ticket.codeMode, ticketId: ticket.id, scheduleId: ticket.scheduleId, seatId: ticket.seatId, holderId: ticket.holderId, version: ticket.version };
    const signed = await signCode(payload, signer);
    if (ticket.codeMode === 'STATIC') return { mode: 'STATIC', code: signed };
    const performance = await findPerformance(db, ticket.performanceId);
    const key = await deriveTicketKey(performance!.rotationSecret, ticket.id, ticket.version);
    return { mode: 'ROTATING', code: await rotateCode(signed, key, now()), base: signed, key: toBase64Url(key), stepSeconds: STEP_SECONDS };
  }

  async function mine(holderId: string, ticketId: string): Promise<TicketView> {
    const ticket = await findHolderTicket(db, holderId, ticketId);
    if (!ticket) throw errors.ticketNotFound();
    return ticket;
  }

  return {
    codeOf,
    async list(holderId: string, limit: number) {
      const tickets = await listHolderTickets(db, holderId, limit);
      return Promise.all(tickets.map(async (ticket) => ({ ticket, code: await codeOf(ticket) })));
    },
    async get(holderId: string, ticketId: string) {
      const ticket = await mine(holderId, ticketId);
      return { ticket, code: await codeOf(ticket) };
    },
    mine,

    /**
     * Gives the ticket to the account with this e-mail address. The version goes up in the same
     * transaction, so the old holder's code (signed part and rotating key) is dead at once, and the
     * old version joins the revocation list that offline scanners fetch.
     */
    async transfer(holderId: string, ticketId: string, email: string): Promise<TicketView> {
      await mine(holderId, ticketId);
      const recipient = await accounts.findByEmail(email);
      if (!recipient) throw errors.recipientNotFound();
      if (recipient.id === holderId) throw errors.transferToSelf();
      const moved = await db.transaction(async (trx) => {
        const ticket = await lockTicket(trx, ticketId);
        // Another request may have moved or revoked it since the read above.
        if (!ticket || ticket.holderId !== holderId) throw errors.ticketNotFound();
        if (ticket.status !== 'VALID') throw errors.ticketRevoked(ticket.revokedReason);
        if (ticket.transferCount >= transferLimit) throw errors.transferLimitReached(transferLimit);
        if (await trx('check_ins').where('ticket_id', ticketId).first()) throw errors.ticketUsed();
        const updated = await transferTicket(trx, ticket, recipient.id, randomUUID());
        await emitTicketEvent(trx, 'ticket.transferred', updated, { fromUserId: holderId, previousVersion: ticket.version });
        return updated;
      });
      metrics.transferred();
      return (await findHolderTicket(db, moved.holderId, moved.id))!;
    },
  };
}

export type Tickets = ReturnType<typeof createTickets>;
