import { randomUUID } from 'node:crypto';
import type { Knex } from '@ticketping/db';
import type { Caller } from '@ticketping/http';
import { findOrder } from '../orders/orders.repo.ts';
import { handOverSeats } from '../waitlist/hand-over.ts';
import { lockSchedule } from '../waitlist/waitlist.repo.ts';
import * as errors from './returns.errors.ts';
import { emitReturnEvent } from './returns.events.ts';
import {
  findLiveReturnOfTicket, findReturn, findTicketCopy, insertReturn, isWithSeller, listReturns, seatSale, transitionReturn,
} from './returns.repo.ts';
import { returnFee, type SeatReturn } from './returns.types.ts';
import type { Db } from '../orders/orders.repo.ts';

export interface ReturnsDeps {
  db: Knex;
  fee: { percent: number; minimum: number };
  now?: () => Date;
}

export interface Quote { ticketId: string; orderId: string; paymentId: string; userId: string; performanceId: string; scheduleId: string; seatId: string; price: number; fee: number; refund: number; currency: string }

const isUniqueViolation = (error: unknown, constraint: string) =>
  (error as { code?: string }).code === '23505' && (error as { constraint?: string }).constraint === constraint;

/**
 * Face-value returns. The seat's path: listed, its hold stays with the seller's confirmed order
 * (the ticket still valid) and is handed to the schedule's waitlist as any seat that comes back;
 * an offer and then the buyer's pending order own it; when that order is confirmed, the return is
 * SOLD in the confirming transaction (`settleReturns`) and the tickets service and payment act on
 * `return.sold`. A seat nobody claims goes back to the seller's order, still listed.
 */
export function createReturns(deps: ReturnsDeps) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());

  /** Every rule a return must pass, read in `conn` (the listing's transaction re-reads them under lock). */
  async function quoteIn(conn: Db, who: Caller, ticketId: string): Promise<Quote> {
    const ticket = await findTicketCopy(conn, ticketId);
    if (!ticket) throw errors.ticketNotFound();
    if (ticket.holderId !== who.id) throw errors.notTicketHolder();
    if (ticket.revoked) throw errors.ticketRevoked();
    if (ticket.checkedIn) throw errors.ticketCheckedIn();
    const live = await findLiveReturnOfTicket(conn, ticketId);
    if (live) throw errors.alreadyReturned(live.id);
    const order = await findOrder(conn, ticket.orderId);
    if (!order || order.status !== 'CONFIRMED' || !order.paymentId) throw errors.ticketRevoked();
    if (order.userId !== ticket.holderId) throw errors.transferredTicket();
    const sale = await seatSale(conn, order.id, ticket.seatId);
    if (!sale) throw errors.ticketNotFound();
    if (sale.cancelledAt || sale.startsAt <= now()) throw errors.eventOver();
    const fee = returnFee(sale.price, deps.fee);
    return {
      ticketId, orderId: order.id, paymentId: order.paymentId, userId: who.id, performanceId: order.performanceId, scheduleId: order.scheduleId,
      seatId: ticket.seatId, price: sale.price, fee, refund: sale.price - fee, currency: order.currency,
    };
  }

  async function withdrawIn(trx: Knex.Transaction, r: SeatReturn): Promise<SeatReturn | undefined> {
    if (!(await isWithSeller(trx, r))) return undefined;
    const withdrawn = await transitionReturn(trx, r.id, 'LISTED', 'WITHDRAWN');
    if (withdrawn) await emitReturnEvent(trx, 'return.withdrawn', withdrawn);
    return withdrawn;
  }

  return {
    quote: (who: Caller, ticketId: string) => quoteIn(db, who, ticketId),

    /**
     * Lists the ticket: its seat is offered to the schedule's waitlist at once if a fan waits. The
     * seller's order row is locked, so two returns of one ticket (or of one order's seats) take
     * turns; the partial unique index refuses a second live return of a ticket whatever happens.
     */
    async list(who: Caller, ticketId: string): Promise<SeatReturn> {
      try {
        return await db.transaction(async (trx) => {
          const ticket = await findTicketCopy(trx, ticketId);
          if (ticket) await trx('orders').where('id', ticket.orderId).forUpdate().first('id');
          const quote = await quoteIn(trx, who, ticketId);
          if (!(await isWithSeller(trx, quote))) throw errors.alreadyReturned();
          const listed = await insertReturn(trx, { id: randomUUID(), ...quote });
          await emitReturnEvent(trx, 'return.listed', listed);
          await handOverSeats(trx, listed.scheduleId, [listed.seatId], 'ticket.returned');
          return listed;
        });
      } catch (error) {
        if (isUniqueViolation(error, 'seat_returns_one_per_ticket') || isUniqueViolation(error, 'seat_returns_one_listing_per_seat')) throw errors.alreadyReturned();
        throw error;
      }
    },

    async listMine(who: Caller, limit: number): Promise<SeatReturn[]> {
      return listReturns(db, who.id, limit);
    },

    /**
     * Takes a listing back while its seat is with the seller; the schedule lock orders it with
     * hand-overs, so a seat is never offered from a withdrawn listing. Withdrawing twice answers
     * the withdrawn return.
     */
    async withdraw(who: Caller, returnId: string): Promise<SeatReturn> {
      const seen = await findReturn(db, returnId, { userId: who.id });
      if (!seen) throw errors.returnNotFound();
      return db.transaction(async (trx) => {
        await lockSchedule(trx, seen.scheduleId);
        const r = await findReturn(trx, returnId, { userId: who.id, lock: true });
        if (!r) throw errors.returnNotFound();
        if (r.status === 'WITHDRAWN') return r;
        if (r.status !== 'LISTED') throw errors.notWithdrawable(r.status);
        const withdrawn = await withdrawIn(trx, r);
        if (!withdrawn) throw errors.notWithdrawable('LISTED');
        return withdrawn;
      });
    },
  };
}

export type Returns = ReturnType<typeof createReturns>;

