import path from 'node:path';
import { env, loadConfig as load, serviceSettings, z } from '@ticketping/config';
import { edgeSettings, jwksJson, limit } from '@ticketping/edge';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const serviceUrl = (port: number) => z.string().url().default(`http://127.0.0.1:${port}`);

/**
 * The gateway's environment. Defaults are the standalone defaults (every service on loopback, see
 * docs/services.md). `INTERNAL_TOKEN` is required: it is the credential services trust.
 */
export const gatewayConfigSchema = z.object({
  ...serviceSettings(8080),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  REDIS_CLUSTER_NODES: env.list().optional(),
  /** The edge's settings: access tokens, rate limits, CORS origins, trusted proxies (packages/edge). */
  ...edgeSettings,

  CATALOG_URL: serviceUrl(8082),
  QUEUE_URL: serviceUrl(8083),
  BOOKING_URL: serviceUrl(8084),
  PAYMENT_URL: serviceUrl(8085),
  TICKETS_URL: serviceUrl(8086),

  /** Where admission-token keys come from: a JWKS URL (default: the queue's) or the JWKS as JSON. */
  QUEUE_JWKS_URL: z.string().url().optional(),
  QUEUE_JWKS: jwksJson,
  QUEUE_TOKEN_ISSUER: z.string().default('ticketping-queue'),

  WEB_DIST: z.string().default(path.join(repoRoot, 'services/web/dist')),
  OPENAPI_PATH: z.string().default(path.join(repoRoot, 'docs/openapi.yaml')),

  BODY_LIMIT_BYTES: env.int(100 * 1024, 1),
  RUM_BODY_LIMIT_BYTES: env.int(256 * 1024, 1),
  UPSTREAM_CONNECTIONS: env.int(128, 1),
  UPSTREAM_CONNECT_TIMEOUT_MS: env.int(2000, 1),
  /** Whole-request deadline for a call to a service, queueing for a connection included. */
  UPSTREAM_TIMEOUT_MS: env.int(10_000, 1),

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
