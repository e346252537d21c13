import type { Knex } from '@ticketping/db';

export type SeatStatus = 'AVAILABLE' | 'HELD' | 'SOLD';

/** A seat as published to booking (`seats.published`). */
export interface PublishedSeat {
  seatId: string;
  scheduleId: string;
  section: string;
  row: number;
  number: number;
  grade: string;
  price: number;
  currency: string;
}

const SEAT_COLUMNS = `s.id, s.schedule_id, sec.name as section, s.row, s.number, g.name as grade, g.price, g.currency`;
const SEAT_JOINS = `from seats s
  join sections sec on sec.id = s.section_id
  join grades g on g.performance_id = sec.performance_id and g.name = sec.grade`;
/** Section in layout order, then row and number: the order fans read a seat map in. */
const SEAT_ORDER = `sec.position, s.row, s.number`;

/** A seat map row without its status: fixed once the performance is created. */
export type SeatPlace = Omit<PublishedSeat, 'scheduleId' | 'seatId'> & { id: string };

/** A schedule's seats in seat-map order; `undefined` when the schedule does not exist. */
export async function seatLayout(db: Knex, scheduleId: string): Promise<SeatPlace[] | undefined> {
  const schedule = await db('schedules').where({ id: scheduleId }).first('id');
  if (!schedule) return undefined;
  const result = await db.raw<{ rows: SeatPlace[] }>(
    `select s.id, sec.name as section, s.row, s.number, g.name as grade, g.price, g.currency ${SEAT_JOINS}
      where s.schedule_id = ? order by ${SEAT_ORDER}`,
    [scheduleId],
  );
  return result.rows;
}

/** The seats of a schedule that are not AVAILABLE: the only part of a seat map that changes. */
export async function takenSeats(db: Knex, scheduleId: string): Promise<Map<string, SeatStatus>> {
  const rows = await db('seats').where({ schedule_id: scheduleId }).whereNot({ status: 'AVAILABLE' }).select<{ id: string; status: SeatStatus }[]>('id', 'status');
  return new Map(rows.map((r) => [r.id, r.status]));
}

/** Every seat of every schedule of a performance, schedule by schedule in seat-map order. */
export async function seatsOfPerformance(db: Knex, performanceId: string): Promise<PublishedSeat[]> {
  const result = await db.raw<{ rows: { id: string; schedule_id: string; section: string; row: number; number: number; grade: string; price: number; currency: string }[] }>(
    `select ${SEAT_COLUMNS} ${SEAT_JOINS}
       join schedules sch on sch.id = s.schedule_id
      where sch.performance_id = ?
      order by sch.starts_at, sch.id, ${SEAT_ORDER}`,
    [performanceId],
  );
  return result.rows.map((r) => ({ seatId: r.id, scheduleId: r.schedule_id, section: r.section, row: r.row, number: r.number, grade: r.grade, price: r.price, currency: r.currency }));
}
