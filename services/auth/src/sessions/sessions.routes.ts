import type { Router } from 'express';
import { Credentials, RefreshRequest } from '@ticketping/contracts/http';
import { caller, validate } from '@ticketping/http';
import type { SessionsService } from './sessions.service.ts';


export function mountSessionRoutes(router: Router, sessions: SessionsService): void {
  router.post('/api/v1/auth/login', async (req, res) => {
    res.json(await sessions.login(validate.body(Credentials, req), req.ip ?? 'unknown'));
  });

  router.post('/api/v1/auth/refresh', async (req, res) => {
    res.json(await sessions.refresh(validate.body(RefreshRequest, req).refreshToken));
  });

  router.post('/api/v1/auth/logout', async (req, res) => {
    const who = caller(req);
    await sessions.logout(who.id, validate.body(RefreshRequest, req).refreshToken);
    res.status(204).end();
  });
}
