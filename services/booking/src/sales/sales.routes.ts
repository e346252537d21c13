import type { Router } from 'express';
import { salesTimelineQuery, scheduleIdParams, type SalesTimeline } from '@ticketping/contracts/http';
import type { Knex } from '@ticketping/db';
import { requireAdmin, requireInternalCaller, validate } from '@ticketping/http';
import { readSalesTimeline } from './sales.repo.ts';

/** The organiser's chart of a sale (seats sold and held per minute), from booking's own orders. */
export function mountSalesRoutes(router: Router, deps: { db: Knex; internalToken: string; now?: () => Date }): void {
  const now = deps.now ?? (() => new Date());
  router.use('/api/v1/admin/schedules', requireInternalCaller(deps.internalToken));

  router.get('/api/v1/admin/schedules/:scheduleId/sales', async (req, res) => {
    requireAdmin(req);
    const { scheduleId } = validate.params(scheduleIdParams, req);
    const { minutes } = validate.query(salesTimelineQuery, req);
    const to = now();
    const from = new Date(to.getTime() - minutes * 60_000);
    const rows = await readSalesTimeline(deps.db, scheduleId, from);
    const body: SalesTimeline = {
      scheduleId,
      from: from.toISOString(),
      to: to.toISOString(),
      soldBefore: rows.soldBefore,
      buckets: rows.minutes.map((m) => ({ minute: m.minute.toISOString(), sold: m.sold, held: m.held })),
    };
    res.setHeader('cache-control', 'no-store');
    res.json(body);
  });
}
