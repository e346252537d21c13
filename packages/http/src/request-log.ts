import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '@ticketping/logger';
import type { ServiceMetrics } from '@ticketping/metrics';

declare module 'express-serve-static-core' {
  interface Request {
    /** The request id: accepted from `x-request-id` or made here. */
    id: string;
    /** A child logger bound to this request's id (made on first use: most requests never log). */
    log: Logger;
  }
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
/** Unmatched requests are labelled by this instead of their raw path, to bound cardinality. */
const UNMATCHED_ROUTE = 'unmatched';

export interface RequestTracking {
  /** The app's request prototype (express's `app.request`): `req.log` is defined on it once. */
  requestPrototype: object;
  logger: Logger;
  metrics: ServiceMetrics;
  /** While true, answers carry `connection: close` so keep-alive clients move to another instance. */
  draining: () => boolean;
}

/**
 * What every request gets, in one middleware with one `finish` listener (each middleware layer
 * and listener is measurable on a status poll): the request id (accepted from and echoed in
 * `x-request-id`), a lazily made request-scoped child logger, one log line per finished request
 * (4xx is info, since warn is too loud under attack; 5xx error; the rest debug) and the request
 * histogram. Cheaper than pino-http, which serializes the whole request into a child logger for
 * every request.
 */
export function trackRequests({ requestPrototype, logger, metrics, draining }: RequestTracking) {
  // On the prototype, not on each request: a property defined on the request object itself turns
  // it into a slow dictionary-mode object and cost about a third of a status poll.
  const child = Symbol('request logger');
  Object.defineProperty(requestPrototype, 'log', {
    configurable: true,
    get(this: Request & { [child]?: Logger }): Logger {
      return (this[child] ??= logger.child({ requestId: this.id }));
    },
  });
  return (req: Request, res: Response, next: NextFunction) => {
    const started = performance.now();
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    req.id = id;
    res.setHeader('x-request-id', id);
    if (draining()) res.setHeader('connection', 'close');
    res.once('finish', () => {
      const status = res.statusCode;
      const seconds = (performance.now() - started) / 1000;
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : UNMATCHED_ROUTE;
      metrics.httpRequestDuration.observe({ method: req.method, route, status: String(status) }, seconds);
      const level = status >= 500 ? 'error' : status >= 400 ? 'info' : 'debug';
      if (!logger.isLevelEnabled(level) || QUIET_PATHS.has(req.path)) return;
      req.log[level]({ method: req.method, url: req.originalUrl, status, ms: Math.round(seconds * 1000) }, 'request finished');
    });
    next();
  };
}
