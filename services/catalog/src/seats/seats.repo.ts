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

const SEAT_COLUMNS = `s.id, s.schedule_id, sec.name as section, s.row, s.number, g.name as grade, g.price, g.currency, s.status`;
const SEAT_JOINS = `from seats s
  join sections sec on sec.id = s.section_id
  join grades g on g.performance_id = sec.performance_id and g.name = sec.grade`;
/** Section in layout order, then row and number: the order fans read a seat map in. */
const SEAT_ORDER = `sec.position, s.row, s.number`;

/**
 * The seat map body `{"items":[…]}` of one schedule, serialised by Postgres: the service never
 * parses thousands of rows only to stringify them again. `undefined` when the schedule is unknown.
 */
export async function seatMapJson(db: Knex, scheduleId: string): Promise<string | undefined> {
  const result = await db.raw<{ rows: { body: string | null }[] }>(
    `select (select json_build_object('items', coalesce(json_agg(json_build_object(
                'id', s.id, 'section', sec.name, 'row', s.row, 'number', s.number,
                'grade', g.name, 'price', g.price, 'currency', g.currency, 'status', s.status) order by ${SEAT_ORDER}), '[]'::json))::text
              ${SEAT_JOINS}
             where s.schedule_id = sch.id) as body
       from schedules sch where sch.id = ?`,
    [scheduleId],
  );
  return result.rows[0]?.body ?? undefined;
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
