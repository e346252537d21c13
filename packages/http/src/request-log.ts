import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '@ticketping/logger';
import type { ServiceMetrics } from '@ticketping/metrics';

declare module 'express-serve-static-core' {
  interface Request {
    /** The request id: accepted from `x-request-id` or made here. */
    id: string;
    /** A logger bound to this request's id (its pino child is made on first use: most requests never log). */
    log: RequestLog;
  }
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
/** Unmatched requests are labelled by this instead of their raw path, to bound cardinality. */
const UNMATCHED_ROUTE = 'unmatched';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
type LogArgs = [unknown, string?, ...unknown[]];

/** What `req.log` offers: pino's level methods and level check. */
export type RequestLog = Pick<Logger, Level | 'isLevelEnabled'>;

/**
 * `req.log`: pino's child logger for the request, made on the first line logged: most requests
 * never log, and making a child serializes its bindings. A plain object set on each request, so
 * neither express's nor Node's prototypes change.
 */
class LazyRequestLog {
  private child: Logger | undefined;
  private readonly base: Logger;
  private readonly requestId: string;
  constructor(base: Logger, requestId: string) {
    this.base = base;
    this.requestId = requestId;
  }
  private get logger(): Logger { return (this.child ??= this.base.child({ requestId: this.requestId })); }
  isLevelEnabled(level: string): boolean { return this.base.isLevelEnabled(level); }
  fatal(...args: LogArgs): void { this.logger.fatal(...args); }
  error(...args: LogArgs): void { this.logger.error(...args); }
  warn(...args: LogArgs): void { this.logger.warn(...args); }
  info(...args: LogArgs): void { this.logger.info(...args); }
  debug(...args: LogArgs): void { this.logger.debug(...args); }
  trace(...args: LogArgs): void { this.logger.trace(...args); }
}

export interface RequestTracking {
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
export function trackRequests({ logger, metrics, draining }: RequestTracking) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = performance.now();
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    req.id = id;
    req.log = new LazyRequestLog(logger, id) as unknown as RequestLog;
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
