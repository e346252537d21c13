import type { Router } from 'express';
import { EmailVerification, userIdParams } from '@ticketping/contracts/http';
import { caller, requireAdmin, validate } from '@ticketping/http';
import type { VerificationService } from './verification.service.ts';

export function mountVerificationRoutes(router: Router, verification: VerificationService): void {
  // Public at the gateway: the link may be opened on a device where the fan is not logged in.
  router.post('/api/v1/users/verification', async (req, res) => {
    res.json(await verification.verify(validate.body(EmailVerification, req).token));
  });

  router.post('/api/v1/users/me/verification-mail', async (req, res) => {
    const outcome = await verification.resend(caller(req).id);
    res.status(outcome === 'SENT' ? 202 : 204).end();
  });

  router.post('/api/v1/users/:userId/verification', async (req, res) => {
    requireAdmin(req);
    res.json(await verification.verifyAsAdmin(validate.params(userIdParams, req).userId));
  });
}
