import type { Router } from 'express';
import { z } from 'zod';
import {
  CodeModeChange as settingsBody, cursorQuery, duplicatesQuery, performanceIdParams as performanceParams, StaffGrantRequest as staffBody, staffParams, timelineQuery,
} from '@ticketping/contracts/http';
import type { Knex } from '@ticketping/db';
import { requireAdmin, requireInternalCaller, validate } from '@ticketping/http';
import type { Staff } from '../staff/staff.service.ts';
import type { CheckInService } from './check-in.service.ts';
import { account } from '../tickets/tickets.routes.ts';
import { perMinute } from '../timeline/timeline.repo.ts';

/** Gates are a handful of names per venue (they label a metric, so the shape is kept tight). */
const gateName = z.string().trim().regex(/^[\w .-]{1,40}$/, 'a gate is 1 to 40 letters, digits, spaces, dots or dashes');

export function scansBody(maxScans: number) {
  return z.strictObject({
    gate: gateName,
    deviceId: z.string().trim().min(1).max(80).optional(),
    scans: z.array(z.strictObject({
      /** Made by the scanner per scan, so a batch sent twice is recorded once. */
      scanId: z.uuid(),
      scheduleId: z.uuid(),
      code: z.string().min(1).max(1000),
      scannedAt: z.iso.datetime({ offset: true }).transform((s) => new Date(s)),
    })).min(1).max(maxScans),
  });
}

export function mountCheckInRoutes(router: Router, deps: { checkIn: CheckInService; staff: Staff; db: Knex; internalToken: string; maxScansPerSync: number; now?: () => number }): void {
  const { checkIn, staff } = deps;
  const body = scansBody(deps.maxScansPerSync);
  router.use('/api/v1/check-in', requireInternalCaller(deps.internalToken));

  router.get('/api/v1/check-in/performances/:performanceId', async (req, res) => {
    const { performanceId } = validate.params(performanceParams, req);
    res.set('cache-control', 'private, no-store').json(await checkIn.bundle(account(req), performanceId));
  });

  router.patch('/api/v1/check-in/performances/:performanceId', async (req, res) => {
    requireAdmin(req);
    const { performanceId } = validate.params(performanceParams, req);
    const { codeMode } = validate.body(settingsBody, req);
    await checkIn.setCodeMode(performanceId, codeMode);
    res.json(await checkIn.bundle(account(req), performanceId));
  });

  router.get('/api/v1/check-in/performances/:performanceId/revocations', async (req, res) => {
    const { performanceId } = validate.params(performanceParams, req);
    const { since, limit } = validate.query(cursorQuery, req);
    res.set('cache-control', 'private, no-store').json(await checkIn.revocations(account(req), performanceId, since, limit));
  });

  router.get('/api/v1/check-in/performances/:performanceId/check-ins', async (req, res) => {
    const { performanceId } = validate.params(performanceParams, req);
    const { since, limit } = validate.query(cursorQuery, req);
    res.set('cache-control', 'private, no-store').json(await checkIn.checkIns(account(req), performanceId, since, limit));
  });

  router.post('/api/v1/check-in/performances/:performanceId/scans', async (req, res) => {
    const { performanceId } = validate.params(performanceParams, req);
    const { gate, deviceId, scans } = validate.body(body, req);
    const results = await checkIn.sync(account(req), performanceId, { gate, deviceId: deviceId ?? null }, scans);
    res.json({ results });
  });

  router.get('/api/v1/check-in/performances/:performanceId/duplicates', async (req, res) => {
    const { performanceId } = validate.params(performanceParams, req);
    const { limit } = validate.query(duplicatesQuery, req);
    res.json({ items: await checkIn.duplicates(account(req), performanceId, limit) });
  });

  // The organiser's charts (web admin page): per-minute counts straight from this service's tables.
  router.get('/api/v1/check-in/performances/:performanceId/timeline', async (req, res) => {
    requireAdmin(req);
    const { performanceId } = validate.params(performanceParams, req);
    const { scheduleId, minutes } = validate.query(timelineQuery, req);
    const to = new Date(deps.now?.() ?? Date.now());
    const from = new Date(Math.floor(to.getTime() / 60_000) * 60_000 - (minutes - 1) * 60_000);
    const buckets = await perMinute(deps.db, performanceId, scheduleId, from);
    res.set('cache-control', 'private, no-store').json({
      performanceId, scheduleId, from: from.toISOString(), to: to.toISOString(),
      buckets: buckets.map((b) => ({ ...b, minute: b.minute.toISOString() })),
    });
  });

  // STAFF of one performance, granted by an administrator to an account named by e-mail.
  router.get('/api/v1/check-in/performances/:performanceId/staff', async (req, res) => {
    requireAdmin(req);
    const { performanceId } = validate.params(performanceParams, req);
    const grants = await staff.list(performanceId);
    res.json({ items: grants.map((g) => ({ userId: g.userId, grantedBy: g.grantedBy, grantedAt: g.grantedAt.toISOString() })) });
  });

  router.post('/api/v1/check-in/performances/:performanceId/staff', async (req, res) => {
    const admin = requireAdmin(req);
    const { performanceId } = validate.params(performanceParams, req);
    const { email } = validate.body(staffBody, req);
    const { userId, created } = await staff.grant(admin.id, performanceId, email);
    res.status(created ? 201 : 200).json({ userId, performanceId, role: 'STAFF' });
  });

  router.delete('/api/v1/check-in/performances/:performanceId/staff/:userId', async (req, res) => {
    requireAdmin(req);
    const { performanceId, userId } = validate.params(staffParams, req);
    await staff.revoke(userId, performanceId);
    res.status(204).end();
  });
}
