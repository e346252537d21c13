import { existsSync, readFileSync } from 'node:fs';
import express, { type RequestHandler, type Router } from 'express';
import { NotFoundError } from '@ticketping/http';
import type { ServiceMetrics } from '@ticketping/metrics';
import type { GatewayConfig } from './config.ts';
import type { Gate } from '@ticketping/edge';
import type { Forwarding } from './proxy/forwarding.ts';
import type { Caps } from './rate-limit/caps.ts';
import { PREFIXES, ROUTES } from './route-table.ts';
import { mountPages } from './web/pages.ts';
import { mountRum } from './web/rum.ts';

export interface RouteParts {
  config: GatewayConfig;
  metrics: ServiceMetrics;
  gate: Gate;
  caps: Caps;
  admission: RequestHandler;
  forwarding: Forwarding;
}

/** Every routed request: the API description, RUM, the route table, the prefixes and the pages. */
export function gatewayRoutes({ config, metrics, gate, caps, admission, forwarding }: RouteParts): (router: Router) => void {
  // Bodies are buffered (they are small, and booking writes need theirs read) within the limit.
  const rawBody = express.raw({ type: () => true, limit: config.BODY_LIMIT_BYTES });
  const openapi = existsSync(config.OPENAPI_PATH) ? readFileSync(config.OPENAPI_PATH, 'utf8') : undefined;
  return (router) => {
    router.get('/api/v1/openapi.yaml', (_req, res) => {
      if (!openapi) throw new NotFoundError('NOT_FOUND', 'The API description is not installed');
      res.type('application/yaml').send(openapi);
    });
    mountRum(router, metrics, config.RUM_BODY_LIMIT_BYTES, [gate.step('public', 'api')]);
    for (const route of ROUTES) {
      const steps = [gate.step(route.access, route.rateClass ?? 'api'), ...(route.cap ? [caps.step(route.cap)] : []), rawBody, ...(route.admission ? [admission] : []), forwarding.answer(route)];
      const at = router.route(route.path);
      if (route.method === 'GET') at.get(...steps);
      else if (route.method === 'POST') at.post(...steps);
      else if (route.method === 'PATCH') at.patch(...steps);
      else if (route.method === 'PUT') at.put(...steps);
      else if (route.method === 'DELETE') at.delete(...steps);
      else at.all(...steps);
    }
    for (const { prefix, upstream } of PREFIXES) router.all(`${prefix}{/*rest}`, gate.step('user', 'api'), rawBody, forwarding.proxyTo(upstream));
    mountPages(router, config.WEB_DIST);
  };
}
