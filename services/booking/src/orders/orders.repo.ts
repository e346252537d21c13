import type { Knex } from '@ticketping/db';
import { handOverSeats } from '../waitlist/hand-over.ts';
import { heldSeatsOfOrder } from '../waitlist/waitlist.repo.ts';
import { withdrawReturnsOfOrder } from '../returns/settle.ts';
import type { SeatSource } from '../waitlist/waitlist.types.ts';
import { emitOrderEvent, emitRefundRequested } from './orders.events.ts';
import type { OrderCursor, OrdersStore, OrdersTx } from './orders.service.ts';
import type { Order, OrderSeat, OrderStatus } from './orders.types.ts';

/** A connection or a transaction: repository functions work in either. */
export type Db = Knex | Knex.Transaction;

interface OrderRow {
  id: string; user_id: string; performance_id: string; schedule_id: string; status: OrderStatus;
  amount: number; currency: string; expires_at: Date; payment_id: string | null; created_at: Date; updated_at: Date;
}
interface SeatRow { order_id: string; seat_id: string; section: string; row: number; number: number; grade: string; price: number }

const toSeat = (r: SeatRow): OrderSeat => ({ id: r.seat_id, section: r.section, row: r.row, number: r.number, grade: r.grade, price: r.price });

async function withSeats(db: Db, rows: OrderRow[]): Promise<Order[]> {
  if (rows.length === 0) return [];
  const seatRows: SeatRow[] = await db('order_seats').whereIn('order_id', rows.map((r) => r.id)).orderBy(['section', 'row', 'number']);
  return rows.map((r) => ({
    id: r.id, userId: r.user_id, performanceId: r.performance_id, scheduleId: r.schedule_id, status: r.status,
    seats: seatRows.filter((s) => s.order_id === r.id).map(toSeat),
    amount: r.amount, currency: r.currency, expiresAt: r.expires_at, paymentId: r.payment_id, createdAt: r.created_at, updatedAt: r.updated_at,
  }));
}

/**
 * Claims the seats for an order. The primary key of `seat_holds` decides: a seat already held by
 * a live order is skipped, so the returned list is short exactly when some seat was taken. Seats
 * are inserted in id order, so two orders wanting overlapping seats never deadlock.
 */
export async function claimSeats(trx: Knex.Transaction, orderId: string, seatIds: string[]): Promise<string[]> {
  const sorted = [...seatIds].sort();
  const result = await trx.raw<{ rows: Array<{ seat_id: string }> }>(
    'insert into seat_holds (seat_id, order_id) select seat_id, ? from unnest(?::uuid[]) as seat_id on conflict (seat_id) do nothing returning seat_id',
    [orderId, sorted],
  );
  return result.rows.map((r) => r.seat_id);
}

/** The order and its seats, in one statement. */
export async function insertOrder(trx: Knex.Transaction, order: Order): Promise<void> {
  const seats = order.seats.map((s) => ({ seat_id: s.id, section: s.section, row: s.row, number: s.number, grade: s.grade, price: s.price }));
  await trx.raw(
    `with created as (
       insert into orders (id, user_id, performance_id, schedule_id, status, amount, currency, expires_at, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id)
     insert into order_seats (order_id, seat_id, section, "row", number, grade, price)
     select created.id, s.seat_id, s.section, s."row", s.number, s.grade, s.price
       from created, jsonb_to_recordset(?::jsonb) as s(seat_id uuid, section text, "row" integer, number integer, grade text, price bigint)`,
    [order.id, order.userId, order.performanceId, order.scheduleId, order.status, order.amount, order.currency, order.expiresAt, order.createdAt, order.updatedAt, JSON.stringify(seats)],
  );
}

/** Which of these seats are held right now (a read: it may be stale by the time it returns). */
export async function findHeldSeats(db: Db, seatIds: string[]): Promise<string[]> {
  const rows = await db('seat_holds').whereIn('seat_id', seatIds).select('seat_id');
  return rows.map((r: { seat_id: string }) => r.seat_id);
}

/**
 * Seats the fan holds in live orders of the performance (kept by trigger, see the fan_seats
 * migration) and the limit in force now (the database's, not a cached copy).
 */
export async function countSeatsHeld(db: Db, userId: string, performanceId: string): Promise<{ held: number; limit: number }> {
  const result = await db.raw<{ rows: Array<{ held: number | null; seat_limit: number }> }>(
    `select f.held, coalesce(p.max_seats_per_person, p.max_seats_per_order) as seat_limit
       from performances p left join fan_seats f on f.performance_id = p.performance_id and f.user_id = ?
      where p.performance_id = ?`,
    [userId, performanceId],
  );
  const row = result.rows[0];
  return { held: row?.held ?? 0, limit: row?.seat_limit ?? 0 };
}

/** The fan's live order for a schedule, if any. */
export async function findLiveOrderId(db: Db, userId: string, scheduleId: string): Promise<string | undefined> {
  const row = await db('orders').where({ user_id: userId, schedule_id: scheduleId }).whereIn('status', ['PENDING_PAYMENT', 'CONFIRMED']).first('id');
  return row?.id;
}

/** One order; with `userId`, only when it belongs to that fan. */
export async function findOrder(db: Db, orderId: string, userId?: string): Promise<Order | undefined> {
  const query = db('orders').where('id', orderId);
  if (userId !== undefined) query.andWhere('user_id', userId);
  const row = (await query.first()) as OrderRow | undefined;
  return row ? (await withSeats(db, [row]))[0] : undefined;
}


/** A fan's orders, newest first, keyset-paginated on (created_at, id). */
export async function listOrders(db: Db, userId: string, limit: number, after?: OrderCursor): Promise<Order[]> {
  const query = db('orders').where('user_id', userId).orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(limit);
  if (after) query.andWhereRaw('(created_at, id) < (?, ?)', [after.createdAt, after.id]);
  return withSeats(db, (await query) as OrderRow[]);
}

const RELEASED_BY: Partial<Record<OrderStatus, SeatSource>> = { CANCELLED: 'order.cancelled', EXPIRED: 'order.expired', REFUNDED: 'order.refunded' };

/**
 * Compare-and-set on the status: the update happens only if the order is still in `from`, so of
 * two racing transitions (a payment and the expiry sweeper, say) exactly one wins. Leaving the
 * live states releases the seats in the same transaction: to the schedule's waitlist first, so a
 * seat that comes back is offered in waitlist order and never reaches the open seat map while
 * fans wait for it.
 */
export async function transition(trx: Knex.Transaction, orderId: string, from: OrderStatus, to: OrderStatus, paymentId?: string): Promise<Order | undefined> {
  const rows = (await trx('orders')
    .where({ id: orderId, status: from })
    .update({ status: to, updated_at: trx.fn.now(), ...(paymentId ? { payment_id: paymentId } : {}) })
    .returning('*')) as OrderRow[];
  if (rows.length === 0) return undefined;
  const order = (await withSeats(trx, rows))[0]!;
  const source = RELEASED_BY[to];
  // a refunded order's listed returns end: its whole payment goes back instead of a resale's share
  if (to === 'REFUNDED') await withdrawReturnsOfOrder(trx, orderId);
  if (source) await handOverSeats(trx, order.scheduleId, await heldSeatsOfOrder(trx, orderId), source);
  return order;
}

/** The performance's orders still holding seats or money (pending or paid), locked, oldest first. */
export async function lockLiveOrders(trx: Knex.Transaction, performanceId: string): Promise<Array<{ id: string; status: OrderStatus; userId: string; paymentId: string | null }>> {
  const rows = await trx('orders')
    .where('performance_id', performanceId)
    .whereIn('status', ['PENDING_PAYMENT', 'CONFIRMED'])
    .orderBy('created_at')
    .forUpdate()
    .select('id', 'status', 'user_id', 'payment_id') as Array<Pick<OrderRow, 'id' | 'status' | 'user_id' | 'payment_id'>>;
  return rows.map((r) => ({ id: r.id, status: r.status, userId: r.user_id, paymentId: r.payment_id }));
}

/**
 * Locks pending orders whose hold ran out. SKIP LOCKED lets several booking replicas sweep at
 * once without waiting on each other or taking the same order twice; an order a payment is
 * confirming right now is locked, so it is skipped and the payment wins.
 */
export async function lockExpiredOrderIds(trx: Knex.Transaction, before: Date, limit: number): Promise<string[]> {
  const rows = await trx('orders')
    .where('status', 'PENDING_PAYMENT')
    .andWhere('expires_at', '<', before)
    .orderBy('expires_at')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .select('id');
  return rows.map((r: { id: string }) => r.id);
}

/**
 * Counts seats sold for a performance. The row lock makes concurrent confirmations take turns,
 * so exactly one of them sees the count reach the total and marks the performance sold out (a
 * refund that frees a seat clears the mark, so selling it again reports sold out again).
 */
export async function addSoldSeats(trx: Knex.Transaction, performanceId: string, delta: number): Promise<{ becameSoldOut: boolean }> {
  const rows = await trx('performances')
    .where('performance_id', performanceId)
    .update({ sold_seats: trx.raw('greatest(sold_seats + ?, 0)', [delta]) })
    .returning(['sold_seats', 'total_seats', 'sold_out_at']);
  const row = rows[0] as { sold_seats: number; total_seats: number; sold_out_at: Date | null } | undefined;
  if (!row) return { becameSoldOut: false };
  const soldOut = row.total_seats > 0 && row.sold_seats >= row.total_seats;
  if (soldOut === (row.sold_out_at !== null)) return { becameSoldOut: false };
  await trx('performances').where('performance_id', performanceId).update({ sold_out_at: soldOut ? trx.fn.now() : null });
  return { becameSoldOut: soldOut };
}

/** The orders use cases' store on booking's Postgres: the functions above, the outbox of orders.events.ts. */
export function knexOrdersStore(db: Knex): OrdersStore {
  const inTransaction = (trx: Knex.Transaction): OrdersTx => ({
    claimSeats: (orderId, seatIds) => claimSeats(trx, orderId, seatIds),
    insertOrder: (order) => insertOrder(trx, order),
    findOrder: (orderId, userId) => findOrder(trx, orderId, userId),
    transition: (orderId, from, to) => transition(trx, orderId, from, to),
    emitOrderEvent: (type, order) => emitOrderEvent(trx, type, order),
    emitRefundRequested: (refund) => emitRefundRequested(trx, refund),
  });
  return {
    transaction: (work) => db.transaction((trx) => work(inTransaction(trx))),
    findHeldSeats: (seatIds) => findHeldSeats(db, seatIds),
    countSeatsHeld: (userId, performanceId) => countSeatsHeld(db, userId, performanceId),
    findLiveOrderId: (userId, scheduleId) => findLiveOrderId(db, userId, scheduleId),
    findOrder: (orderId, userId) => findOrder(db, orderId, userId),
    listOrders: (userId, limit, after) => listOrders(db, userId, limit, after),
  };
}
