import type { NextFunction, Request, Response } from 'express';

const ALLOWED_METHODS = 'GET, POST, PATCH, PUT, DELETE, OPTIONS';
const ALLOWED_HEADERS = 'authorization, content-type, x-queue-token, idempotency-key, x-request-id';
const EXPOSED_HEADERS = 'x-request-id, retry-after';

/**
 * CORS for the configured web origins only. Tokens travel in the Authorization header, not in
 * cookies, so credentials are never allowed. A preflight is answered here and goes no further.
 */
export function cors(allowedOrigins: string[]) {
  const allowed = new Set(allowedOrigins);
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    if (!origin) return next();
    res.vary('Origin');
    const permitted = allowed.has(origin);
    if (permitted) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
    }
    if (req.method !== 'OPTIONS' || !req.headers['access-control-request-method']) return next();
    if (permitted) {
      res.setHeader('access-control-allow-methods', ALLOWED_METHODS);
      res.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
      res.setHeader('access-control-max-age', '600');
    }
    res.status(204).end();
  };
}
