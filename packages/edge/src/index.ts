/**
 * The edge: what every fan's request meets before a service answers it. The gateway applies it to
 * every public route; a service the ingress reaches directly (the queue's one-hop status polls)
 * applies the same steps in process through `oneHopEdge`.
 */
export { edgeSettings, jwksJson, limit, type EdgeSettings } from './settings.ts';
export { createGate, type Access, type Gate } from './gate.ts';
export { authenticate } from './identity/authenticate.ts';
export { createAccessTokenCheck } from './identity/access-tokens.ts';
export { cacheVerified, createJwksVerifier, type JwksVerifierOptions } from './identity/jwks-verifier.ts';
export { createRateLimiter, type RateClass, type RateLimiter, type RateLimiterOptions, type RateScope } from './rate-limit/rate-limiter.ts';
export { createRateLimits } from './rate-limit/rate-limits.ts';
export { scripts as edgeScripts } from './redis/lua/index.generated.ts';
export { clientHeaders, upstreamHeaders, vouchInPlace, type ForwardContext } from './forward-headers.ts';
export { cors } from './web/cors.ts';
export { WEB_SECURITY, securityHeaders } from './web/security-headers.ts';
export { ONE_HOP_ROUTES, oneHopEdge, type EdgeRoute, type OneHopOptions } from './one-hop.ts';
