import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { fromInside } from '@ticketping/http';
import { routePattern } from '@ticketping/http/fast-path';
import { vouchInPlace } from './forward-headers.ts';
import type { Access, Gate } from './gate.ts';
import type { RateClass } from './rate-limit/rate-limiter.ts';
import { cors } from './web/cors.ts';
import { securityHeaders } from './web/security-headers.ts';

/** A public route as the edge sees it: who may call it, and from which budget. */
export interface EdgeRoute {
  method: 'GET' | 'DELETE';
  path: string;
  access: Access;
  rateClass: RateClass;
}

/**
 * A fan's own place in a waiting line: the routes the ingress may send straight to the queue
 * (the chart's `ingress.statusPollsToQueue`), so that a status poll, most of a sale's traffic,
 * makes one hop instead of two. The gateway's route table holds these rows too: both doors apply
 * the same access and budget.
 */
export const ONE_HOP_ROUTES = {
  status: { method: 'GET', path: '/api/v1/queues/:performanceId/entries/me', access: 'user', rateClass: 'poll' },
  leave: { method: 'DELETE', path: '/api/v1/queues/:performanceId/entries/me', access: 'user', rateClass: 'api' },
} as const satisfies Record<string, EdgeRoute>;

/** What a gateway-less request on those paths meets, in the gateway's order. */
export interface OneHopOptions {
  routes: readonly EdgeRoute[];
  gate: Gate;
  internalToken: string;
  webOrigins: string[];
}

/**
 * The edge inside a service, for requests the ingress sends it directly. On the `routes`' paths a
 * request without the internal credential gets what the gateway would do to it: the security
 * headers, CORS (a preflight is answered here), the access token and both rate limits (the same
 * Redis counters as the gateway's). It is then vouched for the way the gateway vouches for what it
 * forwards (forward-headers.ts), so the service's own routes serve it unchanged. Another method on
 * those paths is treated as the gateway treats its prefix routes: an access token, the API budget.
 * Requests from the gateway, and every other path, pass untouched. Mount it in `everyRequest`
 * before the fast path's `leanRoutes`.
 */
export function oneHopEdge(options: OneHopOptions): RequestHandler {
  const routes = options.routes.map((route) => ({ route, pattern: routePattern(route.path).pattern }));
  const headerSteps = [securityHeaders(), cors(options.webOrigins)];
  return async (req: Request, res: Response, next: NextFunction) => {
    const path = req.path;
    let onPath = false;
    let route: EdgeRoute | undefined;
    for (const candidate of routes) {
      if (!candidate.pattern.test(path)) continue;
      onPath = true;
      if (candidate.route.method === req.method) route = candidate.route;
    }
    if (!onPath || fromInside(req, options.internalToken)) return next();
    if (!passedAll(headerSteps, req, res)) return;
    await options.gate.pass(req, route?.access ?? 'user', route?.rateClass ?? 'api');
    vouchInPlace(req.headers, { caller: req.caller, internalToken: options.internalToken, requestId: String(req.id), clientIp: req.clientIp ?? '', protocol: req.protocol });
    next();
  };
}

/** Runs steps that decide at once (set headers, or answer a preflight); false when one answered. */
function passedAll(steps: RequestHandler[], req: Request, res: Response): boolean {
  for (const step of steps) {
    let passed = false;
    void step(req, res, () => { passed = true; });
    if (!passed) return false;
  }
  return true;
}
