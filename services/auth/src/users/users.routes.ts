import type { Router } from 'express';
import { z } from 'zod';
import { SignUp } from '@ticketping/contracts/http';
import { caller, validate } from '@ticketping/http';
import type { UsersService } from './users.service.ts';

// Internal (the tickets service's account lookup), so not part of the public contract.
const lookupBody = z.object({ email: z.string().trim().max(254).pipe(z.email()) });
const contactBody = z.object({ id: z.uuid() });

export function mountUserRoutes(router: Router, users: UsersService): void {
  router.post('/api/v1/users', async (req, res) => {
    res.status(201).json(await users.signUp(validate.body(SignUp, req)));
  });

  // Internal (the gateway forwards /api/v1 only): the tickets service names the receiver of a
  // transfer and a performance's staff by e-mail. The address comes in the body, out of access logs;
  // the answer is the account id alone.
  router.post('/internal/v1/users/lookup', async (req, res) => {
    res.json(await users.lookup(validate.body(lookupBody, req).email));
  });

  // Internal: the tickets service mails a fan their tickets and knows them only by account id.
  router.post('/internal/v1/users/contact', async (req, res) => {
    res.json(await users.contact(validate.body(contactBody, req).id));
  });

  // Only the caller's own profile: there is no route that reads another user by id.
  router.get('/api/v1/users/me', async (req, res) => {
    res.json(await users.profile(caller(req).id));
  });
}
