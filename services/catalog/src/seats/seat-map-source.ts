import type { Knex } from '@ticketping/db';
import { seatLayout, takenSeats } from './seats.repo.ts';

interface Layout {
  ids: string[];
  /** Each seat's JSON up to its status value: `{"id":…,"currency":"KRW","status":"` */
  prefixes: string[];
}

/**
 * Builds seat map bodies fast: the layout (ids, places, grades, prices) never changes after a
 * performance is created, so it is read and serialised once per schedule; each build then reads
 * only the seats that are not AVAILABLE and splices their status in.
 */
export function createSeatMapSource(db: Knex, { maxLayouts = 200 }: { maxLayouts?: number } = {}) {
  const layouts = new Map<string, Layout>();

  async function layoutOf(scheduleId: string): Promise<Layout | undefined> {
    const known = layouts.get(scheduleId);
    if (known) return known;
    const seats = await seatLayout(db, scheduleId);
    if (!seats) return undefined;
    const layout: Layout = {
      ids: seats.map((s) => s.id),
      // Same fields and order as api.md's seat; stringify escapes names safely.
      prefixes: seats.map((s) => JSON.stringify({ id: s.id, section: s.section, row: s.row, number: s.number, grade: s.grade, price: s.price, currency: s.currency, status: '' }).slice(0, -2)),
    };
    if (layouts.size >= maxLayouts) layouts.delete(layouts.keys().next().value as string);
    layouts.set(scheduleId, layout);
    return layout;
  }

  return async function seatMapBody(scheduleId: string): Promise<string | undefined> {
    const layout = await layoutOf(scheduleId);
    if (!layout) return undefined;
    const taken = await takenSeats(db, scheduleId);
    const items = layout.prefixes.map((prefix, i) => `${prefix}${taken.get(layout.ids[i]!) ?? 'AVAILABLE'}"}`);
    return `{"items":[${items.join(',')}]}`;
  };
}
