import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import { precomputedHeaders } from '@ticketping/http/fast-path';

/**
 * helmet's defaults, plus WebAssembly for the door scanner's QR decoder (ZXing in wasm, served from
 * our own origin): 'wasm-unsafe-eval' allows compiling wasm and nothing else (no eval of strings).
 * One policy for every answer the edge gives, whichever process gives it.
 */
export const WEB_SECURITY: HelmetOptions = { contentSecurityPolicy: { directives: { scriptSrc: ["'self'", "'wasm-unsafe-eval'"] } } };

/**
 * helmet's headers, worked out once at start (the fast path's `precomputedHeaders`): with fixed
 * options they never depend on the request.
 */
export function securityHeaders(): RequestHandler {
  return precomputedHeaders(helmet(WEB_SECURITY));
}
