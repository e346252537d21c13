import type { Router } from 'express';
import { requireAdmin, validate } from '@ticketping/http';
import { createPerformanceSchema, pageQuery, performanceIdParams, scheduleIdParams, updatePerformanceSchema, type Performance as PerformanceBody, type PerformanceSummary, type Schedule as ScheduleBody } from '@ticketping/contracts/http';
import type { PerformanceUseCases } from './performances.service.ts';
import { performanceStatus, seatsPerPerson, type Performance, type PerformanceDetail, type Schedule } from './performance.types.ts';

const summaryView = (p: Performance, now: Date): PerformanceSummary => ({
  id: p.id,
  title: p.title,
  venue: p.venue,
  bookingOpensAt: p.bookingOpensAt.toISOString(),
  bookingClosesAt: p.bookingClosesAt.toISOString(),
  status: performanceStatus(p, now),
});

const detailView = (p: PerformanceDetail, now: Date): PerformanceBody => ({
  ...summaryView(p, now),
  description: p.description,
  maxSeatsPerOrder: p.maxSeatsPerOrder,
  maxSeatsPerPerson: seatsPerPerson(p),
  requireVerifiedEmail: p.requireVerifiedEmail,
  queue: p.queue,
  schedules: p.schedules.map((s) => ({ id: s.id, startsAt: s.startsAt.toISOString() })),
  grades: p.grades,
  sections: p.sections.map((s) => ({ name: s.name, grade: s.grade, rows: s.rows, seatsPerRow: s.seatsPerRow })),
});

const scheduleView = (s: Schedule): ScheduleBody => ({ id: s.id, performanceId: s.performanceId, startsAt: s.startsAt.toISOString() });

export function performanceRoutes(router: Router, { performances, now }: { performances: PerformanceUseCases; now: () => Date }): void {
  router.get('/api/v1/performances', async (req, res) => {
    const { limit, cursor } = validate.query(pageQuery, req);
    const page = await performances.list({ limit, cursor });
    const at = now();
    res.json({ items: page.items.map((p) => summaryView(p, at)), nextCursor: page.nextCursor });
  });

  router.get('/api/v1/performances/:performanceId', async (req, res) => {
    const { performanceId } = validate.params(performanceIdParams, req);
    res.json(detailView(await performances.get(performanceId), now()));
  });

  router.post('/api/v1/performances', async (req, res) => {
    requireAdmin(req);
    const input = validate.body(createPerformanceSchema(now()), req);
    const created = await performances.create(input);
    res.status(201).location(`/api/v1/performances/${created.id}`).json(detailView(created, now()));
  });

  router.patch('/api/v1/performances/:performanceId', async (req, res) => {
    requireAdmin(req);
    const { performanceId } = validate.params(performanceIdParams, req);
    const input = validate.body(updatePerformanceSchema(now()), req);
    res.json(detailView(await performances.update(performanceId, input), now()));
  });

  router.post('/api/v1/performances/:performanceId/cancel', async (req, res) => {
    requireAdmin(req);
    const { performanceId } = validate.params(performanceIdParams, req);
    res.json(detailView(await performances.cancel(performanceId), now()));
  });

  router.get('/api/v1/schedules/:scheduleId', async (req, res) => {
    const { scheduleId } = validate.params(scheduleIdParams, req);
    res.json(scheduleView(await performances.getSchedule(scheduleId)));
  });
}
