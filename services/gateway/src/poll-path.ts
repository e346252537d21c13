import { leanRoutes } from '@ticketping/http/fast-path';
import type { RequestHandler } from 'express';
import type { Gate } from '@ticketping/edge';
import type { Forwarding } from './proxy/forwarding.ts';
import { ROUTES, type GatewayRoute } from './route-table.ts';

/**
 * The gateway's opt-in to the status-poll fast path (packages/http/src/fast-path): waiting-room
 * polls (`rateClass: 'poll'`), most of a sale's traffic, are answered by one step ahead of the
 * router and body buffering (they have no body). They keep the gate (token, both rate limits),
 * the way to the queue (a fan's own poll goes in a batch) and everything createHttpApp does per
 * request.
 */
export function pollPath(gate: Gate, forwarding: Forwarding): RequestHandler {
  return leanRoutes(ROUTES.filter((route) => route.rateClass === 'poll').map((route) => ({
    method: pollMethod(route.method),
    path: route.path,
    handle: async (req, res) => {
      await gate.pass(req, route.access, 'poll');
      await forwarding.answer(route)(req, res);
    },
  })));
}

function pollMethod(method: GatewayRoute['method']): 'GET' {
  if (method !== 'GET') throw new Error(`Poll routes are bodyless GETs, not ${method}`);
  return method;
}
