import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '@ticketping/logger';

declare module 'express-serve-static-core' {
  interface Request {
    /** The request id: accepted from `x-request-id` or made here. */
    id: string;
    /** A child logger bound to this request's id (made on first use: most requests never log). */
    log: Logger;
  }
}

const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * One log line per finished request (warn for 4xx is too loud under attack, so 4xx is info,
 * 5xx error, the rest debug), and a lazily made request-scoped child logger. Cheaper than
 * pino-http, which builds a child with the whole request serialized for every request: on a
 * status poll that was a quarter of a service's CPU.
 */
export function requestLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = performance.now();
    let child: Logger | undefined;
    Object.defineProperty(req, 'log', {
      configurable: true,
      get: () => (child ??= logger.child({ requestId: req.id })),
    });
    res.once('finish', () => {
      const status = res.statusCode;
      const level = status >= 500 ? 'error' : status >= 400 ? 'info' : 'debug';
      if (!logger.isLevelEnabled(level) || QUIET_PATHS.has(req.path)) return;
      req.log[level]({ method: req.method, url: req.originalUrl, status, ms: Math.round(performance.now() - started) }, 'request finished');
    });
    next();
  };
}
