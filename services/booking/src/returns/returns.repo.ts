import type { Knex } from '@ticketping/db';
import type { Db } from '../orders/orders.repo.ts';
import type { ReturnStatus, SeatReturn, TicketCopy } from './returns.types.ts';

interface ReturnRow {
  id: string; ticket_id: string; order_id: string; payment_id: string; user_id: string; performance_id: string; schedule_id: string; seat_id: string;
  price: string | number; fee: string | number; refund: string | number; currency: string; status: ReturnStatus; buyer_order_id: string | null;
  created_at: Date; sold_at: Date | null; refunded_at: Date | null;
}
const toReturn = (r: ReturnRow): SeatReturn => ({
  id: r.id, ticketId: r.ticket_id, orderId: r.order_id, paymentId: r.payment_id, userId: r.user_id, performanceId: r.performance_id,
  scheduleId: r.schedule_id, seatId: r.seat_id, price: Number(r.price), fee: Number(r.fee), refund: Number(r.refund), currency: r.currency,
  status: r.status, buyerOrderId: r.buyer_order_id, createdAt: r.created_at, soldAt: r.sold_at, refundedAt: r.refunded_at,
});

// --- the copy of the tickets service's tickets ---

export async function saveTicketCopy(trx: Knex.Transaction, t: { ticketId: string; orderId: string; seatId: string; holderId: string }): Promise<void> {
  await trx('ticket_copies').insert({ ticket_id: t.ticketId, order_id: t.orderId, seat_id: t.seatId, holder_id: t.holderId }).onConflict('ticket_id').ignore();
}

export async function updateTicketCopy(trx: Knex.Transaction, ticketId: string, change: { holderId?: string; revoked?: true; checkedIn?: true }): Promise<void> {
  await trx('ticket_copies').where('ticket_id', ticketId).update({
    ...(change.holderId ? { holder_id: change.holderId } : {}), ...(change.revoked ? { revoked: true } : {}), ...(change.checkedIn ? { checked_in: true } : {}), updated_at: trx.fn.now(),
  });
}

export async function findTicketCopy(db: Db, ticketId: string): Promise<TicketCopy | undefined> {
  const r = await db('ticket_copies').where('ticket_id', ticketId).first() as { ticket_id: string; order_id: string; seat_id: string; holder_id: string; revoked: boolean; checked_in: boolean } | undefined;
  return r ? { ticketId: r.ticket_id, orderId: r.order_id, seatId: r.seat_id, holderId: r.holder_id, revoked: r.revoked, checkedIn: r.checked_in } : undefined;
}

// --- returns ---

export async function insertReturn(trx: Knex.Transaction, r: Omit<SeatReturn, 'status' | 'buyerOrderId' | 'createdAt' | 'soldAt' | 'refundedAt'>): Promise<SeatReturn> {
  const rows = (await trx('seat_returns').insert({
    id: r.id, ticket_id: r.ticketId, order_id: r.orderId, payment_id: r.paymentId, user_id: r.userId, performance_id: r.performanceId,
    schedule_id: r.scheduleId, seat_id: r.seatId, price: r.price, fee: r.fee, refund: r.refund, currency: r.currency, status: 'LISTED',
  }).returning('*')) as ReturnRow[];
  return toReturn(rows[0]!);
}

export async function findReturn(db: Db, id: string, options: { userId?: string; lock?: boolean } = {}): Promise<SeatReturn | undefined> {
  const query = db('seat_returns').where('id', id).first();
  if (options.userId !== undefined) query.andWhere('user_id', options.userId);
  if (options.lock) query.forUpdate();
  const row = (await query) as ReturnRow | undefined;
  return row ? toReturn(row) : undefined;
}

/** The ticket's return that is not withdrawn (listed, sold or refunded), if any. */
export async function findLiveReturnOfTicket(db: Db, ticketId: string): Promise<SeatReturn | undefined> {
  const row = (await db('seat_returns').where('ticket_id', ticketId).whereNot('status', 'WITHDRAWN').first()) as ReturnRow | undefined;
  return row ? toReturn(row) : undefined;
}

export async function listReturns(db: Db, userId: string, limit: number): Promise<SeatReturn[]> {
  const rows = (await db('seat_returns').where('user_id', userId).orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(limit)) as ReturnRow[];
  return rows.map(toReturn);
}

/** Compare-and-set on the status; undefined when the return is no longer in `from`. */
export async function transitionReturn(trx: Knex.Transaction, id: string, from: ReturnStatus, to: ReturnStatus, buyerOrderId?: string): Promise<SeatReturn | undefined> {
  const rows = (await trx('seat_returns').where({ id, status: from }).update({
    status: to, updated_at: trx.fn.now(),
    ...(buyerOrderId ? { buyer_order_id: buyerOrderId } : {}),
    ...(to === 'SOLD' ? { sold_at: trx.fn.now() } : {}),
    ...(to === 'REFUNDED' ? { refunded_at: trx.fn.now() } : {}),
  }).returning('*')) as ReturnRow[];
  return rows[0] ? toReturn(rows[0]) : undefined;
}

/** Listed returns of these seats whose seller's order is still confirmed, locked. */
export async function lockListedReturnsOfSeats(trx: Knex.Transaction, seatIds: string[]): Promise<SeatReturn[]> {
  if (seatIds.length === 0) return [];
  const result = await trx.raw<{ rows: ReturnRow[] }>(
    `select r.* from seat_returns r join orders o on o.id = r.order_id
      where r.seat_id = any(?::uuid[]) and r.status = 'LISTED' and o.status = 'CONFIRMED'
      order by r.seat_id for update of r`,
    [seatIds],
  );
  return result.rows.map(toReturn);
}

/** Listed returns of an order (the seller's), locked. */
export async function lockListedReturnsOfOrder(trx: Knex.Transaction, orderId: string): Promise<SeatReturn[]> {
  const rows = (await trx('seat_returns').where({ order_id: orderId, status: 'LISTED' }).forUpdate()) as ReturnRow[];
  return rows.map(toReturn);
}

/** Whether the seat's hold is with its seller's order (not offered nor in a buyer's order), the hold row locked. */
export async function isWithSeller(trx: Knex.Transaction, r: Pick<SeatReturn, 'seatId' | 'orderId'>): Promise<boolean> {
  const row = await trx('seat_holds').where('seat_id', r.seatId).forUpdate().first('order_id') as { order_id: string | null } | undefined;
  return row?.order_id === r.orderId;
}

/**
 * Listed seats of the schedule that are back with their seller (nobody was waiting when they were
 * listed, or their offers lapsed with nobody after), oldest listing first: what a fan who joins
 * the waitlist is offered at once. The caller holds the schedule lock.
 */
export async function listedSeatsWithSeller(trx: Knex.Transaction, scheduleId: string): Promise<string[]> {
  const result = await trx.raw<{ rows: Array<{ seat_id: string }> }>(
    `select r.seat_id from seat_returns r
       join seat_holds h on h.seat_id = r.seat_id and h.order_id = r.order_id
       join orders o on o.id = r.order_id and o.status = 'CONFIRMED'
      where r.schedule_id = ? and r.status = 'LISTED'
      order by r.created_at, r.seat_id`,
    [scheduleId],
  );
  return result.rows.map((r) => r.seat_id);
}

/**
 * Seats nobody waits for: a listed seat goes back to its seller's order (the listing stays, the
 * ticket is still theirs), any other is released. Returns the seats given back to sellers.
 */
export async function returnToSellersOrRelease(trx: Knex.Transaction, seatIds: string[]): Promise<string[]> {
  if (seatIds.length === 0) return [];
  const result = await trx.raw<{ rows: Array<{ seat_id: string }> }>(
    `update seat_holds h set order_id = r.order_id, offer_id = null
       from seat_returns r join orders o on o.id = r.order_id and o.status = 'CONFIRMED'
      where r.seat_id = h.seat_id and r.status = 'LISTED' and h.seat_id = any(?::uuid[])
      returning h.seat_id`,
    [seatIds],
  );
  const kept = new Set(result.rows.map((r) => r.seat_id));
  const released = seatIds.filter((id) => !kept.has(id));
  if (released.length) await trx('seat_holds').whereIn('seat_id', released).delete();
  return [...kept];
}

/** The price a listed seat is sold at: what its seller paid. */
export async function listedPrices(trx: Knex.Transaction, seatIds: string[]): Promise<Map<string, number>> {
  if (seatIds.length === 0) return new Map();
  const rows = (await trx('seat_returns').whereIn('seat_id', seatIds).andWhere('status', 'LISTED').select('seat_id', 'price')) as Array<{ seat_id: string; price: string | number }>;
  return new Map(rows.map((r) => [r.seat_id, Number(r.price)]));
}

/** What the seller paid for one seat of a confirmed order, and the schedule's start and cancellation. */
export async function seatSale(db: Db, orderId: string, seatId: string): Promise<{ price: number; startsAt: Date; cancelledAt: Date | null } | undefined> {
  const result = await db.raw<{ rows: Array<{ price: string | number; starts_at: Date; cancelled_at: Date | null }> }>(
    `select os.price, s.starts_at, p.cancelled_at from order_seats os
       join orders o on o.id = os.order_id
       join schedules s on s.schedule_id = o.schedule_id
       join performances p on p.performance_id = o.performance_id
      where os.order_id = ? and os.seat_id = ?`,
    [orderId, seatId],
  );
  const row = result.rows[0];
  return row ? { price: Number(row.price), startsAt: row.starts_at, cancelledAt: row.cancelled_at } : undefined;
}
