import type { Knex } from '@ticketping/db';
import type { Db } from '../orders/orders.repo.ts';
import { RETURN_STATUSES } from '../returns/returns.types.ts';
import { OFFER_STATUSES, type EntryStatus, type Offer, type OfferStatus, type SeatSource, type WaitlistEntry, type WaitlistStats } from './waitlist.types.ts';

interface EntryRow {
  id: string; position: string; schedule_id: string; performance_id: string; user_id: string; seats_wanted: number;
  claim_seconds: number; status: EntryStatus; created_at: Date; updated_at: Date;
}
interface OfferRow {
  id: string; entry_id: string; schedule_id: string; performance_id: string; user_id: string; source: SeatSource;
  seat_ids: string[]; status: OfferStatus; expires_at: Date; order_id: string | null; created_at: Date;
}

const toEntry = (r: EntryRow): WaitlistEntry => ({
  id: r.id, position: Number(r.position), scheduleId: r.schedule_id, performanceId: r.performance_id, userId: r.user_id,
  seatsWanted: r.seats_wanted, claimSeconds: r.claim_seconds, status: r.status, createdAt: r.created_at, updatedAt: r.updated_at,
});
const toOffer = (r: OfferRow): Offer => ({
  id: r.id, entryId: r.entry_id, scheduleId: r.schedule_id, performanceId: r.performance_id, userId: r.user_id, source: r.source,
  seatIds: r.seat_ids, status: r.status, expiresAt: r.expires_at, orderId: r.order_id, createdAt: r.created_at,
});

/**
 * Locks the schedule row: every hand-over of seats and every join of the schedule's waitlist take
 * it, so offers go out strictly in waitlist order and a fan never joins a waitlist while a seat
 * is being released past it. Returns whether its performance is cancelled (undefined: unknown).
 */
export async function lockSchedule(trx: Knex.Transaction, scheduleId: string): Promise<{ cancelled: boolean } | undefined> {
  const result = await trx.raw<{ rows: Array<{ cancelled_at: Date | null }> }>(
    `select p.cancelled_at from schedules s join performances p on p.performance_id = s.performance_id
      where s.schedule_id = ? for update of s`,
    [scheduleId],
  );
  const row = result.rows[0];
  return row ? { cancelled: row.cancelled_at !== null } : undefined;
}

/** Whether every seat of the schedule is held (by an order or an offer) right now. */
export async function isSoldOut(db: Db, scheduleId: string): Promise<boolean> {
  const result = await db.raw<{ rows: Array<{ free: boolean }> }>(
    `select exists (select 1 from seats s where s.schedule_id = ? and not exists (select 1 from seat_holds h where h.seat_id = s.seat_id)) as free`,
    [scheduleId],
  );
  return !result.rows[0]?.free;
}

export async function insertEntry(trx: Knex.Transaction, entry: Pick<WaitlistEntry, 'id' | 'scheduleId' | 'performanceId' | 'userId' | 'seatsWanted' | 'claimSeconds'>): Promise<WaitlistEntry> {
  const rows = (await trx('waitlist_entries')
    .insert({ id: entry.id, schedule_id: entry.scheduleId, performance_id: entry.performanceId, user_id: entry.userId, seats_wanted: entry.seatsWanted, claim_seconds: entry.claimSeconds, status: 'WAITING' })
    .returning('*')) as EntryRow[];
  return toEntry(rows[0]!);
}

/** The fan's current entry (waiting or offered) for the schedule, if any. */
export async function findLiveEntry(db: Db, userId: string, scheduleId: string, options: { lock?: boolean } = {}): Promise<WaitlistEntry | undefined> {
  const query = db('waitlist_entries').where({ user_id: userId, schedule_id: scheduleId }).whereIn('status', ['WAITING', 'OFFERED']).first();
  if (options.lock) query.forUpdate();
  const row = (await query) as EntryRow | undefined;
  return row ? toEntry(row) : undefined;
}

/** The fan's latest entry for the schedule, whatever its state. */
export async function findLatestEntry(db: Db, userId: string, scheduleId: string): Promise<WaitlistEntry | undefined> {
  const row = (await db('waitlist_entries').where({ user_id: userId, schedule_id: scheduleId }).orderBy('position', 'desc').first()) as EntryRow | undefined;
  return row ? toEntry(row) : undefined;
}

/**
 * The fan's 1-based place among the fans still waiting (0 once no longer waiting) and the line's
 * length, in one read of the schedule's waiting entries (partial index `waitlist_waiting_in_order`).
 */
export async function placeInLine(db: Db, entry: WaitlistEntry): Promise<{ place: number; waiting: number }> {
  const row = (await db('waitlist_entries')
    .where({ schedule_id: entry.scheduleId, status: 'WAITING' })
    .select(db.raw('count(*) filter (where position <= ?) as place', [entry.position]), db.raw('count(*) as waiting'))
    .first()) as { place: string; waiting: string } | undefined;
  return { place: entry.status === 'WAITING' ? Number(row?.place ?? 0) : 0, waiting: Number(row?.waiting ?? 0) };
}

export async function setEntryStatus(trx: Knex.Transaction, entryId: string, status: EntryStatus): Promise<void> {
  await trx('waitlist_entries').where('id', entryId).update({ status, updated_at: trx.fn.now() });
}

/** The first fan still waiting for the schedule (the caller holds the schedule lock). */
export async function nextWaiting(trx: Knex.Transaction, scheduleId: string): Promise<WaitlistEntry | undefined> {
  const row = (await trx('waitlist_entries').where({ schedule_id: scheduleId, status: 'WAITING' }).orderBy('position').first()) as EntryRow | undefined;
  return row ? toEntry(row) : undefined;
}

/**
 * Creates an offer and moves the seats' holds to it in the same statement pair. The update names
 * the current owner (`from`), so a seat that is no longer where the caller thinks is not stolen:
 * the count returned is checked by the caller.
 */
export async function insertOffer(trx: Knex.Transaction, entry: WaitlistEntry, seatIds: string[], source: SeatSource): Promise<Offer> {
  const rows = (await trx('waitlist_offers')
    .insert({
      id: trx.raw('gen_random_uuid()'), entry_id: entry.id, schedule_id: entry.scheduleId, performance_id: entry.performanceId, user_id: entry.userId,
      source, seat_ids: seatIds, status: 'OPEN', created_at: trx.raw('clock_timestamp()'), expires_at: trx.raw(`clock_timestamp() + make_interval(secs => ?)`, [entry.claimSeconds]),
    })
    .returning('*')) as OfferRow[];
  return toOffer(rows[0]!);
}

/** Gives the seats' holds to `offerId`; returns how many rows moved. */
export async function moveHoldsToOffer(trx: Knex.Transaction, seatIds: string[], offerId: string): Promise<number> {
  return trx('seat_holds').whereIn('seat_id', seatIds).update({ order_id: null, offer_id: offerId });
}

/** Seats an order holds, in seat order (section, row, number), so offers give neighbours together. */
export async function heldSeatsOfOrder(trx: Knex.Transaction, orderId: string): Promise<string[]> {
  const result = await trx.raw<{ rows: Array<{ seat_id: string }> }>(
    `select h.seat_id from seat_holds h join order_seats s on s.order_id = h.order_id and s.seat_id = h.seat_id
      where h.order_id = ? order by s.section, s."row", s.number`,
    [orderId],
  );
  return result.rows.map((r) => r.seat_id);
}

export async function findOffer(db: Db, offerId: string, options: { userId?: string; lock?: boolean } = {}): Promise<Offer | undefined> {
  const query = db('waitlist_offers').where('id', offerId).first();
  if (options.userId !== undefined) query.andWhere('user_id', options.userId);
  if (options.lock) query.forUpdate();
  const row = (await query) as OfferRow | undefined;
  return row ? toOffer(row) : undefined;
}

export async function findOpenOfferOfEntry(db: Db, entryId: string, options: { lock?: boolean } = {}): Promise<Offer | undefined> {
  const query = db('waitlist_offers').where({ entry_id: entryId, status: 'OPEN' }).first();
  if (options.lock) query.forUpdate();
  const row = (await query) as OfferRow | undefined;
  return row ? toOffer(row) : undefined;
}

/** The fan's offers, newest first. */
export async function listOffers(db: Db, userId: string, limit: number): Promise<Offer[]> {
  const rows = (await db('waitlist_offers').where('user_id', userId).orderBy('created_at', 'desc').limit(limit)) as OfferRow[];
  return rows.map(toOffer);
}

export async function setOfferStatus(trx: Knex.Transaction, offerId: string, status: OfferStatus, orderId?: string): Promise<void> {
  await trx('waitlist_offers').where('id', offerId).update({ status, updated_at: trx.fn.now(), ...(orderId ? { order_id: orderId } : {}) });
}

/** Hands an offer's holds to an order; returns how many seats moved. */
export async function moveHoldsToOrder(trx: Knex.Transaction, offerId: string, orderId: string): Promise<number> {
  return trx('seat_holds').where('offer_id', offerId).update({ offer_id: null, order_id: orderId });
}

/** Open offers past their deadline, locked; SKIP LOCKED so a claim in progress wins. */
export async function lockLapsedOffers(trx: Knex.Transaction, before: Date, limit: number): Promise<Offer[]> {
  const rows = (await trx('waitlist_offers')
    .where('status', 'OPEN').andWhere('expires_at', '<', before)
    .orderBy('expires_at').limit(limit).forUpdate().skipLocked()) as OfferRow[];
  return rows.map(toOffer);
}

/** Per schedule with a waitlist or a return: fans waiting, offers by state and returns by state. */
export async function waitlistStats(db: Db, scheduleId?: string): Promise<WaitlistStats[]> {
  const only = scheduleId ? 'where schedule_id = ?' : '';
  const byStatus = (table: string) =>
    `(select jsonb_object_agg(status, n) from (select status, count(*) as n from ${table} t where t.schedule_id = s.schedule_id group by status) x)`;
  const result = await db.raw<{ rows: Array<{ schedule_id: string; performance_id: string; waiting: string; offers: Counts; returns: Counts }> }>(
    `with s as (select schedule_id, performance_id from waitlist_entries ${only}
                union select schedule_id, performance_id from seat_returns ${only})
     select s.schedule_id, s.performance_id,
            (select count(*) from waitlist_entries e where e.schedule_id = s.schedule_id and e.status = 'WAITING') as waiting,
            ${byStatus('waitlist_offers')} as offers,
            ${byStatus('seat_returns')} as returns
       from s`,
    scheduleId ? [scheduleId, scheduleId] : [],
  );
  return result.rows.map((r) => ({
    scheduleId: r.schedule_id,
    performanceId: r.performance_id,
    waiting: Number(r.waiting),
    offers: countsFor(OFFER_STATUSES, r.offers),
    returns: countsFor(RETURN_STATUSES, r.returns),
  }));
}

type Counts = Record<string, string> | null;
/** Every state of the list, 0 where Postgres counted none. */
const countsFor = <S extends string>(statuses: readonly S[], counts: Counts) =>
  Object.fromEntries(statuses.map((status) => [status, Number(counts?.[status] ?? 0)])) as Record<S, number>;
