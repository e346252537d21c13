import { randomUUID } from 'node:crypto';
import type { Knex } from '@ticketping/db';
import { ConflictError, NotFoundError } from '@ticketping/http';
import { seatsOfPerformance } from '../seats/seats.repo.ts';
import { decodeCursor, encodeCursor, invalidField } from './cursor.ts';
import { performanceCancelled, performancePublished, seatsPublished, type OutgoingEvent } from './performance-events.ts';
import type { CreatePerformanceInput, UpdatePerformanceInput } from '@ticketping/contracts/http';
import type { Grade, Performance, PerformanceDetail, Schedule } from './performance.types.ts';
import * as repo from './performances.repo.ts';

/** Writes an event to the outbox inside the caller's transaction (the relay publishes it after commit). */
export type EnqueueEvent = (trx: Knex.Transaction, event: OutgoingEvent) => Promise<void>;

export interface PerformanceDeps {
  db: Knex;
  enqueue: EnqueueEvent;
  now: () => Date;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const notFound = (id: string) => new NotFoundError('PERFORMANCE_NOT_FOUND', `No performance ${id}`);

export function createPerformanceUseCases({ db, enqueue, now }: PerformanceDeps) {
  /** Reads the performance back inside the transaction so the event and the response show what was committed. */
  async function detailIn(trx: Knex.Transaction, id: string): Promise<PerformanceDetail> {
    const detail = await repo.findPerformanceDetail(trx, id);
    if (!detail) throw notFound(id);
    return detail;
  }

  return {
    /** Stores the performance, generates its seats and publishes both, all in one transaction. */
    async create(input: CreatePerformanceInput): Promise<PerformanceDetail> {
      const id = randomUUID();
      const grades = new Map<string, Grade>();
      for (const s of input.sections) if (!grades.has(s.grade)) grades.set(s.grade, { name: s.grade, price: s.price, currency: s.currency });
      return db.transaction(async (trx) => {
        await repo.insertPerformance(trx, {
          id,
          title: input.title,
          venue: input.venue,
          description: input.description,
          bookingOpensAt: input.bookingOpensAt,
          bookingClosesAt: input.bookingClosesAt,
          maxSeatsPerOrder: input.maxSeatsPerOrder,
          maxSeatsPerPerson: input.maxSeatsPerPerson ?? null,
          requireVerifiedEmail: input.requireVerifiedEmail,
          queue: input.queue,
          schedules: input.schedules.map((s) => ({ id: randomUUID(), startsAt: s.startsAt })),
          grades: [...grades.values()],
          sections: input.sections.map((s) => ({ id: randomUUID(), name: s.name, grade: s.grade, rows: s.rows, seatsPerRow: s.seatsPerRow })),
        });
        const detail = await detailIn(trx, id);
        for (const event of [performancePublished(detail), ...seatsPublished(id, await seatsOfPerformance(trx, id))]) await enqueue(trx, event);
        return detail;
      });
    },

    async list({ limit, cursor }: { limit: number; cursor: string | undefined }): Promise<Page<Performance>> {
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      // One extra row tells whether another page exists without a count query.
      const rows = await repo.listPerformances(db, { limit: limit + 1, after });
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
    },

    async get(id: string): Promise<PerformanceDetail> {
      const detail = await repo.findPerformanceDetail(db, id);
      if (!detail) throw notFound(id);
      return detail;
    },

    async getSchedule(id: string): Promise<Schedule> {
      const schedule = await repo.findSchedule(db, id);
      if (!schedule) throw new NotFoundError('SCHEDULE_NOT_FOUND', `No schedule ${id}`);
      return schedule;
    },

    /** Changes the sale's settings (never the layout or prices, which booking already copied) and republishes them. */
    async update(id: string, input: UpdatePerformanceInput): Promise<PerformanceDetail> {
      return db.transaction(async (trx) => {
        const current = await repo.findPerformanceForUpdate(trx, id);
        if (!current) throw notFound(id);
        if (current.cancelledAt) throw new ConflictError('PERFORMANCE_CANCELLED', `Performance ${id} was cancelled and can no longer change`);
        const opensAt = input.bookingOpensAt ?? current.bookingOpensAt;
        const closesAt = input.bookingClosesAt ?? current.bookingClosesAt;
        if (opensAt >= closesAt) {
          throw input.bookingClosesAt
            ? invalidField('body.bookingClosesAt', `must be after bookingOpensAt (${opensAt.toISOString()})`)
            : invalidField('body.bookingOpensAt', `must be before bookingClosesAt (${closesAt.toISOString()})`);
        }
        await repo.updatePerformance(trx, id, input);
        const detail = await detailIn(trx, id);
        await enqueue(trx, performancePublished(detail));
        return detail;
      });
    },

    /** Calls the sale off; cancelling twice answers the same and publishes once. */
    async cancel(id: string): Promise<PerformanceDetail> {
      return db.transaction(async (trx) => {
        const current = await repo.findPerformanceForUpdate(trx, id);
        if (!current) throw notFound(id);
        if (!current.cancelledAt) {
          const at = now();
          await repo.markCancelled(trx, id, at);
          await enqueue(trx, performanceCancelled(id, at));
        }
        return detailIn(trx, id);
      });
    },
  };
}

export type PerformanceUseCases = ReturnType<typeof createPerformanceUseCases>;
