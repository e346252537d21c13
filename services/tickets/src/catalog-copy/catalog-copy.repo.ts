import { randomBytes } from 'node:crypto';
import type { Knex } from '@ticketping/db';

type Db = Knex | Knex.Transaction;

/**
 * The tickets service's copy of what catalog publishes: titles and dates to print on tickets,
 * seat labels, and cancellations. Tickets never reads catalog's tables.
 */
export interface PerformanceFacts { performanceId: string; title: string; schedules: Array<{ scheduleId: string; startsAt: Date }> }
export interface SeatFacts { seatId: string; section: string; row: number; number: number; grade: string }
export interface PerformanceSettings { performanceId: string; title: string; codeMode: 'STATIC' | 'ROTATING'; rotationSecret: Buffer; cancelledAt: Date | null; schedules: Array<{ scheduleId: string; startsAt: Date }> }

/** Upserts the facts; the rotation secret is made once, at the first sight of the performance. */
export async function savePerformance(db: Db, p: PerformanceFacts): Promise<void> {
  await ensurePerformance(db, p.performanceId, p.title);
  if (p.schedules.length === 0) return;
  await db('schedules')
    .insert(p.schedules.map((s) => ({ schedule_id: s.scheduleId, performance_id: p.performanceId, starts_at: s.startsAt })))
    .onConflict('schedule_id')
    .merge(['starts_at']);
}

/**
 * A performance row exists before its tickets do: `order.confirmed` and `performance.published`
 * travel on different topics, so the order may come first. The title is filled in later.
 */
export async function ensurePerformance(db: Db, performanceId: string, title?: string): Promise<void> {
  const insert = db('performances').insert({ performance_id: performanceId, title: title ?? '', rotation_secret: randomBytes(32) }).onConflict('performance_id');
  await (title === undefined ? insert.ignore() : insert.merge({ title, updated_at: db.fn.now() }));
}

export async function saveSeats(db: Db, scheduleId: string, seats: SeatFacts[]): Promise<void> {
  if (seats.length === 0) return;
  await db('seats')
    .insert(seats.map((s) => ({ seat_id: s.seatId, schedule_id: scheduleId, section: s.section, row: s.row, number: s.number, grade: s.grade })))
    .onConflict('seat_id')
    .merge(['section', 'row', 'number', 'grade']);
}

/** True when this call cancelled it (false: cancelled before). */
export async function markCancelled(db: Db, performanceId: string, cancelledAt: Date): Promise<boolean> {
  await ensurePerformance(db, performanceId);
  return (await db('performances').where('performance_id', performanceId).whereNull('cancelled_at').update({ cancelled_at: cancelledAt, updated_at: db.fn.now() })) > 0;
}

export async function findPerformance(db: Db, performanceId: string): Promise<PerformanceSettings | undefined> {
  const row = await db('performances').where('performance_id', performanceId).first();
  if (!row) return undefined;
  const schedules = await db('schedules').where('performance_id', performanceId).orderBy('starts_at').select('schedule_id', 'starts_at');
  return {
    performanceId, title: row.title, codeMode: row.code_mode, rotationSecret: row.rotation_secret, cancelledAt: row.cancelled_at,
    schedules: schedules.map((s: { schedule_id: string; starts_at: Date }) => ({ scheduleId: s.schedule_id, startsAt: s.starts_at })),
  };
}

/** The performance of a schedule, when catalog published it. */
export async function findScheduleSettings(db: Db, scheduleId: string): Promise<{ performanceId: string } | undefined> {
  const row = await db('schedules').where('schedule_id', scheduleId).first('performance_id');
  return row ? { performanceId: row.performance_id } : undefined;
}

export async function setCodeMode(db: Db, performanceId: string, mode: 'STATIC' | 'ROTATING'): Promise<boolean> {
  return (await db('performances').where('performance_id', performanceId).update({ code_mode: mode, updated_at: db.fn.now() })) > 0;
}
