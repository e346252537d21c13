import type { Knex } from '@ticketping/db';
import type { RevokeReason, Ticket, TicketView } from './tickets.types.ts';

type Db = Knex | Knex.Transaction;

interface TicketRow {
  id: string; order_id: string; performance_id: string; schedule_id: string; seat_id: string; holder_id: string; version: number;
  status: Ticket['status']; revoked_reason: string | null; transfer_count: number; issued_at: Date; updated_at: Date;
}

const toTicket = (r: TicketRow): Ticket => ({
  id: r.id, orderId: r.order_id, performanceId: r.performance_id, scheduleId: r.schedule_id, seatId: r.seat_id, holderId: r.holder_id,
  version: r.version, status: r.status, revokedReason: r.revoked_reason, transferCount: r.transfer_count, issuedAt: r.issued_at, updatedAt: r.updated_at,
});

/** Inserts the tickets of an order that are not there yet; returns only the ones this call created. */
export async function insertTickets(trx: Knex.Transaction, tickets: Array<Pick<Ticket, 'id' | 'orderId' | 'performanceId' | 'scheduleId' | 'seatId' | 'holderId'>>): Promise<Ticket[]> {
  if (tickets.length === 0) return [];
  const rows = (await trx('tickets')
    .insert(tickets.map((t) => ({ id: t.id, order_id: t.orderId, performance_id: t.performanceId, schedule_id: t.scheduleId, seat_id: t.seatId, holder_id: t.holderId })))
    .onConflict(['order_id', 'seat_id'])
    .ignore()
    .returning('*')) as TicketRow[];
  return rows.map(toTicket);
}

/** Revokes the valid tickets matching `where` and lists each in the revocation list; returns them. */
async function revokeWhere(trx: Knex.Transaction, where: Record<string, string>, reason: RevokeReason): Promise<Ticket[]> {
  const rows = (await trx('tickets')
    .where({ ...where, status: 'VALID' })
    .update({ status: 'REVOKED', revoked_reason: reason, updated_at: trx.fn.now() })
    .returning('*')) as TicketRow[];
  if (rows.length > 0) {
    await trx('revocations').insert(rows.map((r) => ({ ticket_id: r.id, performance_id: r.performance_id, version: r.version, reason })));
  }
  return rows.map(toTicket);
}

export const revokeOrderTickets = (trx: Knex.Transaction, orderId: string, reason: RevokeReason) => revokeWhere(trx, { order_id: orderId }, reason);
/** The one ticket of a resold return: its seat now has the buyer's ticket. */
export const revokeReturnedTicket = (trx: Knex.Transaction, ticketId: string) => revokeWhere(trx, { id: ticketId }, 'RETURNED');
export const revokePerformanceTickets = (trx: Knex.Transaction, performanceId: string) => revokeWhere(trx, { performance_id: performanceId }, 'PERFORMANCE_CANCELLED');

export async function findTicket(db: Db, id: string): Promise<Ticket | undefined> {
  const row = (await db('tickets').where('id', id).first()) as TicketRow | undefined;
  return row && toTicket(row);
}

export async function lockTicket(trx: Knex.Transaction, id: string): Promise<Ticket | undefined> {
  const row = (await trx('tickets').where('id', id).forUpdate().first()) as TicketRow | undefined;
  return row && toTicket(row);
}

function viewQuery(db: Db) {
  return db('tickets as t')
    .leftJoin('performances as p', 'p.performance_id', 't.performance_id')
    .leftJoin('schedules as s', 's.schedule_id', 't.schedule_id')
    .leftJoin('seats as st', 'st.seat_id', 't.seat_id')
    .leftJoin('check_ins as c', 'c.ticket_id', 't.id')
    .select('t.*', 'p.title', 'p.code_mode', 's.starts_at', 'st.section', 'st.row', 'st.number', 'st.grade', 'c.scanned_at as checked_in_at');
}

type ViewRow = TicketRow & {
  title: string | null; code_mode: 'STATIC' | 'ROTATING' | null; starts_at: Date | null;
  section: string | null; row: number | null; number: number | null; grade: string | null; checked_in_at: Date | null;
};

const toView = (r: ViewRow): TicketView => ({
  ...toTicket(r),
  title: r.title || null,
  startsAt: r.starts_at,
  codeMode: r.code_mode ?? 'STATIC',
  seat: r.section === null ? null : { section: r.section, row: r.row!, number: r.number!, grade: r.grade! },
  checkedInAt: r.checked_in_at,
});

/** A holder's tickets, the next show first. */
export async function listHolderTickets(db: Db, holderId: string, limit: number): Promise<TicketView[]> {
  const rows = (await viewQuery(db).where('t.holder_id', holderId).orderByRaw('s.starts_at asc nulls last, t.issued_at, t.id').limit(limit)) as ViewRow[];
  return rows.map(toView);
}

export async function findHolderTicket(db: Db, holderId: string, id: string): Promise<TicketView | undefined> {
  const row = (await viewQuery(db).where({ 't.id': id, 't.holder_id': holderId }).first()) as ViewRow | undefined;
  return row && toView(row);
}

/** The holder's tickets of one order, as they show them (a ticket given away is no longer theirs). */
export async function findHolderOrderTickets(db: Db, holderId: string, orderId: string): Promise<TicketView[]> {
  return ((await viewQuery(db).where({ 't.order_id': orderId, 't.holder_id': holderId }).orderBy('t.id')) as ViewRow[]).map(toView);
}

/** Moves the ticket to its new holder with a new version; the old version joins the revocation list. */
export async function transferTicket(trx: Knex.Transaction, ticket: Ticket, toHolder: string, transferId: string): Promise<Ticket> {
  const [row] = (await trx('tickets')
    .where({ id: ticket.id, version: ticket.version })
    .update({ holder_id: toHolder, version: ticket.version + 1, transfer_count: ticket.transferCount + 1, updated_at: trx.fn.now() })
    .returning('*')) as TicketRow[];
  await trx('transfers').insert({ id: transferId, ticket_id: ticket.id, from_holder: ticket.holderId, to_holder: toHolder, from_version: ticket.version });
  await trx('revocations').insert({ ticket_id: ticket.id, performance_id: ticket.performanceId, version: ticket.version, reason: 'TRANSFERRED' });
  return toTicket(row!);
}

export interface RevocationEntry { seq: number; ticketId: string; version: number; reason: string; revokedAt: Date }

/** The revocation list of a performance after `since` (a seq), oldest first. */
export async function listRevocations(db: Db, performanceId: string, since: number, limit: number): Promise<RevocationEntry[]> {
  const rows = await db('revocations').where('performance_id', performanceId).andWhere('seq', '>', since).orderBy('seq').limit(limit);
  return rows.map((r: { seq: string; ticket_id: string; version: number; reason: string; revoked_at: Date }) => ({
    seq: Number(r.seq), ticketId: r.ticket_id, version: r.version, reason: r.reason, revokedAt: r.revoked_at,
  }));
}

export async function findTickets(db: Db, ids: string[]): Promise<Map<string, Ticket>> {
  if (ids.length === 0) return new Map();
  const rows = (await db('tickets').whereIn('id', [...new Set(ids)])) as TicketRow[];
  return new Map(rows.map((r) => [r.id, toTicket(r)]));
}
