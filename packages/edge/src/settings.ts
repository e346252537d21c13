import { env, z } from '@ticketping/config';

const jwksJson = z.string().optional().transform((v, ctx) => {
  if (!v) return undefined;
  try {
    const parsed = JSON.parse(v) as { keys?: unknown };
    if (Array.isArray(parsed.keys)) return parsed as { keys: Record<string, unknown>[] };
  } catch { /* reported below */ }
  ctx.addIssue({ code: 'custom', message: 'must be a JWKS JSON object: {"keys":[…]}' });
  return z.NEVER;
});
/** A limit per window; 0 turns it off. */
const limit = (fallback: number) => env.int(fallback, 0);

/**
 * The edge's environment, spread into the schema of every service that applies it (the gateway;
 * the queue for one-hop status polls). Both read the same names, so one set of values (the chart's)
 * makes a poll cost the same budget and face the same checks whichever way it comes in.
 */
export const edgeSettings = {
  /** Auth's own URL: its key set is at /.well-known/jwks.json unless AUTH_JWKS_URL or AUTH_JWKS says otherwise. */
  AUTH_URL: z.string().url().default('http://127.0.0.1:8081'),
  /** Where access-token keys come from: a JWKS URL (default: auth's) or the JWKS itself as JSON. */
  AUTH_JWKS_URL: z.string().url().optional(),
  AUTH_JWKS: jwksJson,
  AUTH_ISSUER: z.string().default('ticketping-auth'),
  ACCESS_TOKEN_AUDIENCE: z.string().default('ticketping-api'),

  /** Origins allowed to call the API from a browser (the pages the gateway serves need none). */
  WEB_ORIGIN: env.list().default([]),
  /**
   * Which peers may set X-Forwarded-For (express `trust proxy`): the ingress in front of us. The
   * client address every rate limit and cap counts is the right-most X-Forwarded-For entry not
   * added by a trusted peer; a request from any other peer is counted under the peer's own
   * address and its X-Forwarded-For is ignored. Name the ingress controller's pod range (or
   * `loopback` when nothing is in front) in production: the default trusts any private address.
   */
  TRUST_PROXY: z.string().default('loopback, linklocal, uniquelocal'),

  /** Prefix of the shared rate-limit counters in Redis: the same everywhere the edge is applied. */
  REDIS_KEY_PREFIX: z.string().default('tp:gw'),
  RATE_LIMIT_WINDOW_SECONDS: env.int(10, 1),
  RATE_LIMIT_PER_USER: limit(100),
  RATE_LIMIT_PER_IP: limit(1000),
  /** Waiting-room status polls have their own, much larger budget. */
  RATE_LIMIT_POLL_PER_USER: limit(100),
  RATE_LIMIT_POLL_PER_IP: limit(50_000),
  /** Past this the limiter lets the request through rather than stall the platform on Redis. */
  RATE_LIMIT_REDIS_TIMEOUT_MS: env.int(250, 1),
};

export { jwksJson, limit };

/** The edge's settings as a service's loaded config carries them (its INTERNAL_TOKEN included). */
export type EdgeSettings = z.infer<z.ZodObject<typeof edgeSettings>> & { INTERNAL_TOKEN: string };
