import type { Knex } from '@ticketping/db';
import type { ListPosition } from './cursor.ts';
import type { Grade, Performance, PerformanceDetail, Schedule, Section } from './performance.types.ts';

interface PerformanceRow {
  id: string;
  title: string;
  venue: string;
  description: string;
  booking_opens_at: Date;
  booking_closes_at: Date;
  max_seats_per_order: number;
  max_seats_per_person: number | null;
  require_verified_email: boolean;
  queue_capacity: number;
  queue_admit_per_minute: number;
  sold_out: boolean;
  cancelled_at: Date | null;
}

const toPerformance = (r: PerformanceRow): Performance => ({
  id: r.id,
  title: r.title,
  venue: r.venue,
  description: r.description,
  bookingOpensAt: r.booking_opens_at,
  bookingClosesAt: r.booking_closes_at,
  maxSeatsPerOrder: r.max_seats_per_order,
  maxSeatsPerPerson: r.max_seats_per_person,
  requireVerifiedEmail: r.require_verified_email,
  queue: { capacity: r.queue_capacity, admitPerMinute: r.queue_admit_per_minute },
  soldOut: r.sold_out,
  cancelledAt: r.cancelled_at,
});

type PerformanceFields = Omit<Performance, 'id' | 'soldOut' | 'cancelledAt'>;

const toRow = (p: Partial<PerformanceFields>) => ({
  title: p.title,
  venue: p.venue,
  description: p.description,
  booking_opens_at: p.bookingOpensAt,
  booking_closes_at: p.bookingClosesAt,
  max_seats_per_order: p.maxSeatsPerOrder,
  max_seats_per_person: p.maxSeatsPerPerson,
  require_verified_email: p.requireVerifiedEmail,
  queue_capacity: p.queue?.capacity,
  queue_admit_per_minute: p.queue?.admitPerMinute,
});

export interface NewPerformance extends PerformanceFields {
  id: string;
  schedules: Omit<Schedule, 'performanceId'>[];
  grades: Grade[];
  sections: Section[];
}

/** Inserts a performance with its layout and generates every seat of every schedule in the database. */
export async function insertPerformance(trx: Knex.Transaction, p: NewPerformance): Promise<void> {
  await trx('performances').insert({ id: p.id, ...toRow(p) });
  await trx('schedules').insert(p.schedules.map((s) => ({ id: s.id, performance_id: p.id, starts_at: s.startsAt })));
  await trx('grades').insert(p.grades.map((g, position) => ({ performance_id: p.id, name: g.name, price: g.price, currency: g.currency, position })));
  await trx('sections').insert(p.sections.map((s, position) => ({ id: s.id, performance_id: p.id, name: s.name, grade: s.grade, rows: s.rows, seats_per_row: s.seatsPerRow, position })));
  // One statement instead of shipping up to 100k rows from Node.
  await trx.raw(
    `insert into seats (id, schedule_id, section_id, row, number)
     select gen_random_uuid(), sch.id, sec.id, r.n, s.n
       from schedules sch
       join sections sec on sec.performance_id = sch.performance_id
       cross join lateral generate_series(1, sec.rows) as r(n)
       cross join lateral generate_series(1, sec.seats_per_row) as s(n)
      where sch.performance_id = ?`,
    [p.id],
  );
}

export async function updatePerformance(trx: Knex.Transaction, id: string, fields: Partial<PerformanceFields>): Promise<void> {
  await trx('performances').where({ id }).update({ ...toRow(fields), updated_at: trx.fn.now() });
}

export async function markCancelled(trx: Knex.Transaction, id: string, at: Date): Promise<void> {
  await trx('performances').where({ id }).whereNull('cancelled_at').update({ cancelled_at: at, updated_at: trx.fn.now() });
}

export async function markSoldOut(trx: Knex.Transaction, id: string): Promise<void> {
  await trx('performances').where({ id, sold_out: false }).update({ sold_out: true, updated_at: trx.fn.now() });
}

/** Locks the row so concurrent admin changes to one performance apply (and publish) one at a time. */
export async function findPerformanceForUpdate(trx: Knex.Transaction, id: string): Promise<Performance | undefined> {
  const row = await trx<PerformanceRow>('performances').where({ id }).forUpdate().first();
  return row && toPerformance(row);
}

export async function findPerformanceDetail(db: Knex, id: string): Promise<PerformanceDetail | undefined> {
  const row = await db<PerformanceRow>('performances').where({ id }).first();
  if (!row) return undefined;
  // One after the other: inside a transaction they share one connection.
  const schedules = await db('schedules').where({ performance_id: id }).orderBy([{ column: 'starts_at' }, { column: 'id' }]);
  const grades = await db('grades').where({ performance_id: id }).orderBy('position');
  const sections = await db('sections').where({ performance_id: id }).orderBy('position');
  return {
    ...toPerformance(row),
    schedules: schedules.map((s: { id: string; starts_at: Date }) => ({ id: s.id, performanceId: id, startsAt: s.starts_at })),
    grades: grades.map((g: { name: string; price: number; currency: string }) => ({ name: g.name, price: g.price, currency: g.currency })),
    sections: sections.map((s: { id: string; name: string; grade: string; rows: number; seats_per_row: number }) => ({ id: s.id, name: s.name, grade: s.grade, rows: s.rows, seatsPerRow: s.seats_per_row })),
  };
}

/** One page in (booking_opens_at, id) order, starting after `after`. */
export async function listPerformances(db: Knex, { limit, after }: { limit: number; after: ListPosition | undefined }): Promise<Performance[]> {
  const query = db<PerformanceRow>('performances').orderBy([{ column: 'booking_opens_at' }, { column: 'id' }]).limit(limit);
  if (after) query.whereRaw('(booking_opens_at, id) > (?, ?)', [after.bookingOpensAt, after.id]);
  return (await query).map(toPerformance);
}

export async function findSchedule(db: Knex, id: string): Promise<Schedule | undefined> {
  const row = await db('schedules').where({ id }).first<{ id: string; performance_id: string; starts_at: Date } | undefined>();
  return row && { id: row.id, performanceId: row.performance_id, startsAt: row.starts_at };
}
