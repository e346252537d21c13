import type { Knex } from '@ticketping/db';
import { findScheduleSeats, findSellableSchedule, type SeatCopy, type SellableSchedule } from './catalog-copy.repo.ts';

export interface Sellable { schedule: SellableSchedule; seats: Map<string, SeatCopy> }

export interface SellableCache {
  /** The schedule and its seats as booking sells them, or undefined for an unknown schedule. */
  get(scheduleId: string): Promise<Sellable | undefined>;
}

/** Schedules kept at most; past it the cache starts over (a sale has a handful of schedules). */
const MAX_SCHEDULES = 500;

/**
 * During a sale every request reads the same schedule and seat prices, which change only when
 * catalog republishes. Each replica keeps them for `ttlMs` (loaded once, shared by the requests
 * that asked meanwhile), so a hold costs no read of the catalog copy. A republished price
 * reaches new orders within `ttlMs`; seat availability is never cached, the database decides it.
 */
export function createSellableCache(db: Knex, ttlMs: number): SellableCache {
  const entries = new Map<string, { loaded: Promise<Sellable | undefined>; at: number }>();

  async function load(scheduleId: string): Promise<Sellable | undefined> {
    const schedule = await findSellableSchedule(db, scheduleId);
    if (!schedule) return undefined;
    const seats = await findScheduleSeats(db, scheduleId);
    return { schedule, seats: new Map(seats.map((s) => [s.seatId, s])) };
  }

  return {
    async get(scheduleId) {
      const now = Date.now();
      const entry = entries.get(scheduleId);
      if (entry && now - entry.at < ttlMs) return entry.loaded;
      if (entries.size >= MAX_SCHEDULES) entries.clear();
      const loaded = load(scheduleId);
      entries.set(scheduleId, { loaded, at: now });
      try {
        const sellable = await loaded;
        // Unknown schedules are not remembered: made-up ids must not fill the cache.
        if (!sellable) entries.delete(scheduleId);
        return sellable;
      } catch (error) {
        entries.delete(scheduleId);
        throw error;
      }
    },
  };
}
