import type { Router } from 'express';
import { SignUp } from '@ticketping/contracts/http';
import { caller, validate } from '@ticketping/http';
import type { UsersService } from './users.service.ts';


export function mountUserRoutes(router: Router, users: UsersService): void {
  router.post('/api/v1/users', async (req, res) => {
    res.status(201).json(await users.signUp(validate.body(SignUp, req)));
  });

  // Only the caller's own profile: there is no route that reads another user by id.
  router.get('/api/v1/users/me', async (req, res) => {
    res.json(await users.profile(caller(req).id));
  });
}
