import { z } from 'zod';

/**
 * What the waiting room needs from catalog to re-create a queue Redis lost: the performances that
 * can still sell, and each one's sale settings. Read over catalog's own API (the same answers the
 * gateway serves), with the internal token.
 */
export interface CatalogReader {
  /** Every performance that is UPCOMING, ON_SALE or SOLD_OUT now (closed and cancelled ones need no room). */
  performancesOnSale(): Promise<Array<{ performanceId: string; status: 'UPCOMING' | 'ON_SALE' | 'SOLD_OUT' }>>;
  /** The settings performance.published carries, or undefined when catalog no longer knows it. */
  saleSettings(performanceId: string): Promise<SaleSettings | undefined>;
}

export interface SaleSettings {
  capacity: number;
  admitPerMinute: number;
  opensAtMs: number;
  closesAtMs: number;
  totalSeats: number;
  requireVerifiedEmail?: boolean;
  /** Absent or 0: unknown. */
  maxSeatsPerOrder?: number;
}

const PAGE_SIZE = 100;
/** A bound on the pages read in one pass, so a catalog bug can never loop us forever. */
const MAX_PAGES = 1000;

const page = z.object({
  items: z.array(z.object({ id: z.string(), status: z.string() })),
  nextCursor: z.string().nullable().optional(),
});

const detail = z.object({
  id: z.string(),
  bookingOpensAt: z.iso.datetime({ offset: true }),
  bookingClosesAt: z.iso.datetime({ offset: true }),
  queue: z.object({ capacity: z.number().int().min(1), admitPerMinute: z.number().int().min(1) }),
  requireVerifiedEmail: z.boolean().default(false),
  maxSeatsPerOrder: z.number().int().min(1).optional(),
  schedules: z.array(z.unknown()),
  sections: z.array(z.object({ rows: z.number().int(), seatsPerRow: z.number().int() })),
});

const LIVE = new Set(['UPCOMING', 'ON_SALE', 'SOLD_OUT']);

export function createCatalogReader(options: { baseUrl: string; internalToken: string; timeoutMs?: number }): CatalogReader {
  const headers = { 'x-internal-token': options.internalToken, accept: 'application/json' };
  const timeoutMs = options.timeoutMs ?? 5000;

  async function getJson(path: string): Promise<{ status: number; body: unknown }> {
    const res = await fetch(new URL(path, options.baseUrl), { headers, signal: AbortSignal.timeout(timeoutMs) });
    const body = res.headers.get('content-type')?.includes('json') ? await res.json() : await res.text();
    return { status: res.status, body };
  }

  return {
    async performancesOnSale() {
      const live: Array<{ performanceId: string; status: 'UPCOMING' | 'ON_SALE' | 'SOLD_OUT' }> = [];
      let cursor: string | null | undefined;
      for (let pages = 0; pages < MAX_PAGES; pages++) {
        const query = new URLSearchParams({ limit: String(PAGE_SIZE), ...(cursor ? { cursor } : {}) });
        const { status, body } = await getJson(`/api/v1/performances?${query}`);
        if (status !== 200) throw new Error(`catalog answered ${status} to the list of performances`);
        const { items, nextCursor } = page.parse(body);
        for (const item of items) if (LIVE.has(item.status)) live.push({ performanceId: item.id, status: item.status as 'UPCOMING' | 'ON_SALE' | 'SOLD_OUT' });
        if (!nextCursor) return live;
        cursor = nextCursor;
      }
      throw new Error(`catalog listed more than ${MAX_PAGES} pages of performances`);
    },

    async saleSettings(performanceId) {
      const { status, body } = await getJson(`/api/v1/performances/${encodeURIComponent(performanceId)}`);
      if (status === 404) return undefined;
      if (status !== 200) throw new Error(`catalog answered ${status} for performance ${performanceId}`);
      const p = detail.parse(body);
      // the same count catalog puts in performance.published: every seat of every schedule
      const seatsPerSchedule = p.sections.reduce((n, s) => n + s.rows * s.seatsPerRow, 0);
      return {
        capacity: p.queue.capacity,
        admitPerMinute: p.queue.admitPerMinute,
        opensAtMs: Date.parse(p.bookingOpensAt),
        closesAtMs: Date.parse(p.bookingClosesAt),
        totalSeats: seatsPerSchedule * p.schedules.length,
        requireVerifiedEmail: p.requireVerifiedEmail,
        maxSeatsPerOrder: p.maxSeatsPerOrder ?? 0,
      };
    },
  };
}
