import type { Knex } from '@ticketping/db';
import type { Logger } from '@ticketping/logger';
import type { Order } from '../orders/orders.types.ts';
import { handOverSeats } from '../waitlist/hand-over.ts';
import { lockSchedule } from '../waitlist/waitlist.repo.ts';
import { emitReturnEvent } from './returns.events.ts';
import {
  findLiveReturnOfTicket, findReturn, findTicketCopy, isWithSeller, listedSeatsWithSeller, lockListedReturnsOfOrder, lockListedReturnsOfSeats, transitionReturn,
} from './returns.repo.ts';

/* What other parts of booking do to returns inside their own transactions. */

/**
 * In the transaction that confirms `order`: each of its seats that was a listed return is sold to
 * it (the seller's listing ends SOLD and `return.sold` asks for the revocation and the refund).
 * Returns how many seats were resold, which were counted as sold already.
 */
export async function settleReturns(trx: Knex.Transaction, order: Order, logger: Logger): Promise<number> {
  const listed = await lockListedReturnsOfSeats(trx, order.seats.map((s) => s.id));
  let sold = 0;
  for (const r of listed) {
    if (r.orderId === order.id) continue;
    const done = await transitionReturn(trx, r.id, 'LISTED', 'SOLD', order.id);
    if (!done) continue;
    const ticket = await findTicketCopy(trx, r.ticketId);
    if (ticket?.checkedIn) logger.error({ returnId: r.id, ticketId: r.ticketId }, 'a returned ticket was used at the door before its seat was resold');
    await emitReturnEvent(trx, 'return.sold', done);
    sold++;
  }
  return sold;
}

/** A listing of an order that is refunded or cancelled ends: the whole order's money goes back instead. */
export async function withdrawReturnsOfOrder(trx: Knex.Transaction, orderId: string): Promise<void> {
  for (const r of await lockListedReturnsOfOrder(trx, orderId)) {
    const withdrawn = await transitionReturn(trx, r.id, 'LISTED', 'WITHDRAWN');
    if (withdrawn) await emitReturnEvent(trx, 'return.withdrawn', withdrawn);
  }
}

/** payment gave the seller's refund back: the return ends REFUNDED (once; a redelivery finds it so). */
export async function markReturnRefunded(trx: Knex.Transaction, returnId: string): Promise<void> {
  const refunded = await transitionReturn(trx, returnId, 'SOLD', 'REFUNDED');
  if (refunded) await emitReturnEvent(trx, 'return.refunded', refunded);
}

/**
 * A ticket used at the door, or given to someone else, is no longer for sale: its listing is
 * withdrawn if the seat is with the seller; if a waitlisted fan holds it right now, the sale would
 * let two people in (or revoke the receiver's ticket), so it is logged for the organiser.
 */
export async function withdrawListingOfTicket(trx: Knex.Transaction, ticketId: string, why: 'checked-in' | 'transferred', logger: Logger): Promise<void> {
  const live = await findLiveReturnOfTicket(trx, ticketId);
  if (!live || live.status !== 'LISTED') return;
  await lockSchedule(trx, live.scheduleId);
  const r = await findReturn(trx, live.id, { lock: true });
  if (r?.status !== 'LISTED') return;
  if (await isWithSeller(trx, r)) {
    const withdrawn = await transitionReturn(trx, r.id, 'LISTED', 'WITHDRAWN');
    if (withdrawn) await emitReturnEvent(trx, 'return.withdrawn', withdrawn);
  } else {
    logger.error({ returnId: r.id, ticketId, why }, 'a listed ticket was used or given away while a waitlisted fan holds its seat');
  }
}

/** A fan joined the waitlist: listed seats back with their sellers are offered now, oldest listing first. */
export async function offerListedSeats(trx: Knex.Transaction, scheduleId: string): Promise<void> {
  const seats = await listedSeatsWithSeller(trx, scheduleId);
  if (seats.length) await handOverSeats(trx, scheduleId, seats, 'ticket.returned');
}
