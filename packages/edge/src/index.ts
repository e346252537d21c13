/**
 * The edge: what every fan's request meets before a service answers it. The gateway applies it to
 * every public route; a service the ingress reaches directly (the queue's one-hop status polls)
 * applies the same steps in process through `oneHopEdge`.
 */
export { edgeSettings, jwksJson, limit, type EdgeSettings } from './settings.ts';
export { createEdge, type Edge } from './create-edge.ts';
export { type Access, type Gate } from './gate.ts';
export { createJwksVerifier } from './identity/jwks-verifier.ts';
export { createRateLimiter, type RateClass, type RateScope } from './rate-limit/rate-limiter.ts';
export { clientHeaders, upstreamHeaders } from './forward-headers.ts';
export { cors } from './web/cors.ts';
export { securityHeaders } from './web/security-headers.ts';
export { ONE_HOP_ROUTES, oneHopEdge } from './one-hop.ts';
