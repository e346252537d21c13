import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import { precomputedHeaders } from '@ticketping/http/fast-path';

/**
 * helmet's headers, worked out once at start (the fast path's `precomputedHeaders`): with fixed
 * options they never depend on the request.
 */
export function securityHeaders(options?: HelmetOptions): RequestHandler {
  return precomputedHeaders(helmet(options));
}
