import type { Router } from 'express';
import { z } from 'zod';
import { caller, validate } from '@ticketping/http';
import type { SessionsService } from './sessions.service.ts';

// Login takes any string: a stricter shape check would answer differently from a wrong password.
const loginBody = z.object({ email: z.string().min(1).max(320), password: z.string().min(1).max(1024) });
const refreshBody = z.object({ refreshToken: z.string().min(1).max(512) });

export function mountSessionRoutes(router: Router, sessions: SessionsService): void {
  router.post('/api/v1/auth/login', async (req, res) => {
    res.json(await sessions.login(validate.body(loginBody, req), req.ip ?? 'unknown'));
  });

  router.post('/api/v1/auth/refresh', async (req, res) => {
    res.json(await sessions.refresh(validate.body(refreshBody, req).refreshToken));
  });

  router.post('/api/v1/auth/logout', async (req, res) => {
    const who = caller(req);
    await sessions.logout(who.id, validate.body(refreshBody, req).refreshToken);
    res.status(204).end();
  });
}
