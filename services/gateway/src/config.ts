import path from 'node:path';
import { env, loadConfig as load, serviceSettings, z } from '@ticketping/config';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const serviceUrl = (port: number) => z.string().url().default(`http://127.0.0.1:${port}`);
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
 * The gateway's environment. Defaults are the standalone defaults (every service on loopback, see
 * docs/services.md). `INTERNAL_TOKEN` is required: it is the credential services trust.
 */
export const gatewayConfigSchema = z.object({
  ...serviceSettings(8080),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  REDIS_CLUSTER_NODES: env.list().optional(),
  /** Prefix of the gateway's Redis keys (rate-limit counters). */
  REDIS_KEY_PREFIX: z.string().default('tp:gw'),

  AUTH_URL: serviceUrl(8081),
  CATALOG_URL: serviceUrl(8082),
  QUEUE_URL: serviceUrl(8083),
  BOOKING_URL: serviceUrl(8084),
  PAYMENT_URL: serviceUrl(8085),
  TICKETS_URL: serviceUrl(8086),

  /** Where access-token keys come from: a JWKS URL (default: auth's) or the JWKS itself as JSON. */
  AUTH_JWKS_URL: z.string().url().optional(),
  AUTH_JWKS: jwksJson,
  AUTH_ISSUER: z.string().default('ticketping-auth'),
  ACCESS_TOKEN_AUDIENCE: z.string().default('ticketping-api'),
  /** Where admission-token keys come from: a JWKS URL (default: the queue's) or the JWKS as JSON. */
  QUEUE_JWKS_URL: z.string().url().optional(),
  QUEUE_JWKS: jwksJson,
  QUEUE_TOKEN_ISSUER: z.string().default('ticketping-queue'),

  /** Origins allowed to call the API from a browser (the pages the gateway serves need none). */
  WEB_ORIGIN: env.list().default([]),
  WEB_DIST: z.string().default(path.join(repoRoot, 'services/web/dist')),
  OPENAPI_PATH: z.string().default(path.join(repoRoot, 'docs/openapi.yaml')),
  /**
   * Which peers may set X-Forwarded-For (express `trust proxy`): the ingress in front of us. The
   * client address every rate limit and cap counts is the right-most X-Forwarded-For entry not
   * added by a trusted peer; a request from any other peer is counted under the peer's own
   * address and its X-Forwarded-For is ignored. Name the ingress controller's pod range (or
   * `loopback` when nothing is in front) in production: the default trusts any private address.
   */
  TRUST_PROXY: z.string().default('loopback, linklocal, uniquelocal'),

  BODY_LIMIT_BYTES: env.int(100 * 1024, 1),
  RUM_BODY_LIMIT_BYTES: env.int(256 * 1024, 1),
  UPSTREAM_CONNECTIONS: env.int(128, 1),
  UPSTREAM_CONNECT_TIMEOUT_MS: env.int(2000, 1),
  /** Whole-request deadline for a call to a service, queueing for a connection included. */
  UPSTREAM_TIMEOUT_MS: env.int(10_000, 1),

  RATE_LIMIT_WINDOW_SECONDS: env.int(10, 1),
  RATE_LIMIT_PER_USER: limit(100),
  RATE_LIMIT_PER_IP: limit(1000),
  /** Waiting-room status polls have their own, much larger budget. */
  RATE_LIMIT_POLL_PER_USER: limit(100),
  RATE_LIMIT_POLL_PER_IP: limit(50_000),
  /** Past this the limiter lets the request through rather than stall the platform on Redis. */
  RATE_LIMIT_REDIS_TIMEOUT_MS: env.int(250, 1),

  /**
   * Caps per client address and per address range (/24 IPv4, /64 IPv6) over this window, shared
   * by the replicas: waiting-line entries (per performance) and sign-ups. 0 = no cap. A carrier
   * NAT puts many fans behind one address, so the per-address caps are a line's worth of a
   * household, not of one person.
   */
  CAP_WINDOW_SECONDS: env.int(600, 1),
  CAP_ENTRIES_PER_IP: limit(20),
  CAP_ENTRIES_PER_RANGE: limit(60),
  CAP_SIGNUPS_PER_IP: limit(10),
  CAP_SIGNUPS_PER_RANGE: limit(30),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

export function loadConfig(environment: Record<string, string | undefined> = process.env): GatewayConfig {
  return load(gatewayConfigSchema, environment);
}
