import type { Knex } from '@ticketping/db';

/**
 * Booking's own copy of what catalog sells: performances, schedules, seats and prices, kept from
 * `performance.published` / `seats.published`. Booking never reads catalog's tables.
 */
export interface PerformanceCopy {
  performanceId: string;
  title: string;
  maxSeatsPerOrder: number;
  maxSeatsPerPerson?: number | undefined;
  bookingOpensAt: Date;
  bookingClosesAt: Date;
  totalSeats: number;
  schedules: Array<{ scheduleId: string; startsAt: Date }>;
}

export interface SeatCopy {
  seatId: string;
  section: string;
  row: number;
  number: number;
  grade: string;
  price: number;
  currency: string;
}

export interface SellableSchedule {
  scheduleId: string;
  performanceId: string;
  maxSeatsPerOrder: number;
  bookingOpensAt: Date;
  bookingClosesAt: Date;
  cancelledAt: Date | null;
}

/** Upserts: a republished performance replaces its facts; orders keep the prices they were made at. */
export async function savePerformance(db: Knex, p: PerformanceCopy): Promise<void> {
  const facts = {
    title: p.title,
    max_seats_per_order: p.maxSeatsPerOrder,
    max_seats_per_person: p.maxSeatsPerPerson ?? null,
    booking_opens_at: p.bookingOpensAt,
    booking_closes_at: p.bookingClosesAt,
    total_seats: p.totalSeats,
  };
  await db('performances')
    .insert({ performance_id: p.performanceId, ...facts })
    .onConflict('performance_id')
    .merge({ ...facts, updated_at: db.fn.now() });
  if (p.schedules.length === 0) return;
  await db('schedules')
    .insert(p.schedules.map((s) => ({ schedule_id: s.scheduleId, performance_id: p.performanceId, starts_at: s.startsAt })))
    .onConflict('schedule_id')
    .merge(['starts_at']);
}

export async function saveSeats(db: Knex, performanceId: string, scheduleId: string, seats: SeatCopy[]): Promise<void> {
  if (seats.length === 0) return;
  await db('seats')
    .insert(seats.map((s) => ({
      seat_id: s.seatId, schedule_id: scheduleId, performance_id: performanceId,
      section: s.section, row: s.row, number: s.number, grade: s.grade, price: s.price, currency: s.currency,
    })))
    .onConflict('seat_id')
    .merge(['section', 'row', 'number', 'grade', 'price', 'currency']);
}

export async function findSellableSchedule(db: Knex, scheduleId: string): Promise<SellableSchedule | undefined> {
  const row = await db('schedules as s')
    .join('performances as p', 'p.performance_id', 's.performance_id')
    .where('s.schedule_id', scheduleId)
    .first('s.schedule_id', 'p.performance_id', 'p.max_seats_per_order', 'p.booking_opens_at', 'p.booking_closes_at', 'p.cancelled_at');
  if (!row) return undefined;
  return {
    scheduleId: row.schedule_id,
    performanceId: row.performance_id,
    maxSeatsPerOrder: row.max_seats_per_order,
    bookingOpensAt: row.booking_opens_at,
    bookingClosesAt: row.booking_closes_at,
    cancelledAt: row.cancelled_at,
  };
}

/** True when this call cancelled it (false: unknown, or cancelled before). */
export async function markPerformanceCancelled(db: Knex, performanceId: string, cancelledAt: Date): Promise<boolean> {
  const changed = await db('performances').where('performance_id', performanceId).whereNull('cancelled_at').update({ cancelled_at: cancelledAt, updated_at: db.fn.now() });
  return changed > 0;
}

/** When the performance was cancelled (undefined: it was not), its row locked until the transaction ends. */
export async function lockCancelledAt(db: Knex, performanceId: string): Promise<Date | undefined> {
  const row = await db('performances').where('performance_id', performanceId).forUpdate().first('cancelled_at') as { cancelled_at: Date | null } | undefined;
  return row?.cancelled_at ?? undefined;
}

/** Every seat of a schedule with its price. */
export async function findScheduleSeats(db: Knex, scheduleId: string): Promise<SeatCopy[]> {
  const rows = await db('seats').where('schedule_id', scheduleId).select('seat_id', 'section', 'row', 'number', 'grade', 'price', 'currency');
  return rows.map((r) => ({ seatId: r.seat_id, section: r.section, row: r.row, number: r.number, grade: r.grade, price: r.price, currency: r.currency }));
}
