// The organiser's waitlist figures per date (GET /admin/waitlist): fans waiting, the offers by
// what became of them, and the tickets returned for resale. Pure shaping for pages/waitlist-panel.ts.

import type { WaitlistStats } from '../api/types.ts';

export interface WaitlistRow {
  scheduleId: string;
  startsAt: string;
  waiting: number;
  /** Every offer made, whatever became of it. */
  made: number;
  open: number;
  claimed: number;
  expired: number;
  /** Declined by the fan leaving, or withdrawn. */
  declined: number;
  /** Returned tickets on sale to the waitlist now, and sold to it (the seller refunded). */
  returnsListed: number;
  returnsSold: number;
}

/** One row per date of the performance, in date order; a date nobody joined shows zeros. */
export function waitlistRows(schedules: { id: string; startsAt: string }[], stats: WaitlistStats[]): WaitlistRow[] {
  const byId = new Map(stats.map((s) => [s.scheduleId, s]));
  return [...schedules].sort((a, b) => a.startsAt.localeCompare(b.startsAt)).map(({ id, startsAt }) => {
    const s = byId.get(id);
    const o = s?.offers ?? { OPEN: 0, CLAIMED: 0, EXPIRED: 0, DECLINED: 0, WITHDRAWN: 0 };
    const r = s?.returns ?? { LISTED: 0, SOLD: 0, REFUNDED: 0, WITHDRAWN: 0 };
    return {
      scheduleId: id, startsAt, waiting: s?.waiting ?? 0,
      made: o.OPEN + o.CLAIMED + o.EXPIRED + o.DECLINED + o.WITHDRAWN,
      open: o.OPEN, claimed: o.CLAIMED, expired: o.EXPIRED, declined: o.DECLINED + o.WITHDRAWN,
      // a sold return turns REFUNDED once the seller's refund is through: both were sold
      returnsListed: r.LISTED, returnsSold: r.SOLD + r.REFUNDED,
    };
  });
}
