import type { Router } from 'express';
import { requireAdmin, validate } from '@ticketping/http';
import { accessCodeParams, NewAccessCode, performanceIdParams, RedeemAccessCode, ReleaseAccessCode, type AccessCode } from '@ticketping/contracts/http';
import type { AccessCodeRecord } from './access-codes.repo.ts';
import type { AccessCodeUseCases } from './access-codes.service.ts';

const view = (c: AccessCodeRecord): AccessCode => ({
  id: c.id,
  performanceId: c.performanceId,
  code: c.code,
  lane: c.lane,
  maxUses: c.maxUses,
  uses: c.uses,
  validFrom: c.validFrom.toISOString(),
  validUntil: c.validUntil.toISOString(),
  createdAt: c.createdAt.toISOString(),
});

/** Admin CRUD under the performance, and the waiting room's internal redeem/release. */
export function accessCodeRoutes(router: Router, { accessCodes }: { accessCodes: AccessCodeUseCases }): void {
  router.post('/api/v1/performances/:performanceId/access-codes', async (req, res) => {
    requireAdmin(req);
    const { performanceId } = validate.params(performanceIdParams, req);
    const created = await accessCodes.create(performanceId, validate.body(NewAccessCode, req));
    res.status(201).json(view(created));
  });

  router.get('/api/v1/performances/:performanceId/access-codes', async (req, res) => {
    requireAdmin(req);
    const { performanceId } = validate.params(performanceIdParams, req);
    res.setHeader('cache-control', 'no-store');
    res.json({ items: (await accessCodes.list(performanceId)).map(view) });
  });

  router.get('/api/v1/performances/:performanceId/access-codes/:codeId/uses', async (req, res) => {
    requireAdmin(req);
    const { performanceId, codeId } = validate.params(accessCodeParams, req);
    const { code, items } = await accessCodes.uses(performanceId, codeId);
    res.setHeader('cache-control', 'no-store');
    res.json({ code: view(code), items: items.map((u) => ({ userId: u.userId, usedAt: u.usedAt.toISOString() })) });
  });

  // The waiting room's calls (internal token only; the gateway never routes /internal).
  router.post('/internal/v1/performances/:performanceId/access-codes/redeem', async (req, res) => {
    const { performanceId } = validate.params(performanceIdParams, req);
    const { code, userId } = validate.body(RedeemAccessCode, req);
    res.json(await accessCodes.redeem(performanceId, code, userId));
  });

  router.post('/internal/v1/access-codes/release', async (req, res) => {
    const { codeId, userId } = validate.body(ReleaseAccessCode, req);
    res.json({ released: await accessCodes.release(codeId, userId) });
  });
}
