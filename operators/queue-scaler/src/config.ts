/** The operator's settings, from the environment (the chart sets them; see README.md). */
import { hostname } from 'node:os';
import { env, loadConfig, z } from '@ticketping/config';
import { RedisConnectionsSetting, type RedisConnectionSettings } from './redis-connections.ts';

const schema = z.object({
  /** A kubeconfig file for local runs; in a pod the ServiceAccount is used. */
  KUBECONFIG: z.string().optional(),
  /** The default Redis of the waiting rooms: a single node, REDIS_CLUSTER_NODES for a Redis Cluster, or a Sentinel set. */
  REDIS_URL: env.url().optional(),
  REDIS_CLUSTER_NODES: env.list().optional(),
  /** Sentinel addresses (host:port) and the name of the master they watch. */
  REDIS_SENTINELS: env.list().optional(),
  REDIS_SENTINEL_MASTER: z.string().optional(),
  /** Named Redis connections a QueueScaler picks with spec.redisRef: JSON {"name": {"url": ...} | {"clusterNodes": [...]} | {"sentinel": {...}}}. */
  REDIS_CONNECTIONS: z.string().default('{}').transform((text, ctx) => {
    try {
      const parsed = RedisConnectionsSetting.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
      ctx.addIssue({ code: 'custom', message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not JSON' });
    }
    return z.NEVER;
  }),
  /** Only this namespace's QueueScalers (empty: every namespace). */
  WATCH_NAMESPACE: z.string().default(''),
  /** Who this instance is in the Lease and in Events (the chart passes the pod name). */
  POD_NAME: z.string().default(`${hostname()}-${process.pid}`),
  LEASE_NAMESPACE: z.string().default('default'),
  LEASE_NAME: z.string().default('queue-scaler'),
  LEASE_DURATION_MS: env.int(15_000, 1000),
  RENEW_DEADLINE_MS: env.int(10_000, 500),
  RETRY_PERIOD_MS: env.int(2_000, 100),
  /** /metrics, /healthz, /readyz. Loopback unless told otherwise (in a pod: 0.0.0.0). */
  HTTP_HOST: z.string().default('127.0.0.1'),
  HTTP_PORT: env.port(8080),
  REDIS_TIMEOUT_MS: env.int(1000, 50),
  /** The queue service's internal API, for admissionControl's rate (PUT .../operator-rate). */
  QUEUE_URL: z.string().url().optional(),
  INTERNAL_TOKEN: z.string().min(16).optional(),
  /** Reading booking's /metrics and writing the rate: a slower answer counts as a failure. */
  HTTP_CLIENT_TIMEOUT_MS: env.int(2000, 50),
  RECONCILE_WORKERS: env.int(4, 1),
  LOG_LEVEL: env.logLevel(),
}).refine((c) => Boolean(c.REDIS_URL) || Boolean(c.REDIS_CLUSTER_NODES?.length) || Boolean(c.REDIS_SENTINELS?.length),
  { message: 'set REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS', path: ['REDIS_URL'] })
  .refine((c) => Boolean(c.REDIS_SENTINELS?.length) === Boolean(c.REDIS_SENTINEL_MASTER), { message: 'REDIS_SENTINELS and REDIS_SENTINEL_MASTER go together', path: ['REDIS_SENTINEL_MASTER'] })
  .refine((c) => (c.REDIS_SENTINELS ?? []).every((node) => /^[^:\s]+:\d+$/.test(node)), { message: 'REDIS_SENTINELS are host:port', path: ['REDIS_SENTINELS'] })
  .refine((c) => c.RENEW_DEADLINE_MS < c.LEASE_DURATION_MS, { message: 'RENEW_DEADLINE_MS must be below LEASE_DURATION_MS', path: ['RENEW_DEADLINE_MS'] });

export type OperatorConfig = z.infer<typeof schema>;

export function readConfig(source: Record<string, string | undefined> = process.env): OperatorConfig {
  return loadConfig(schema, source);
}

/** The default connection's settings: a Cluster, a Sentinel set or a single URL, in that order. */
export function defaultRedisConnection(config: OperatorConfig): RedisConnectionSettings {
  if (config.REDIS_CLUSTER_NODES?.length) return { clusterNodes: config.REDIS_CLUSTER_NODES };
  if (config.REDIS_SENTINELS?.length && config.REDIS_SENTINEL_MASTER) {
    return { sentinel: { masterName: config.REDIS_SENTINEL_MASTER, sentinels: config.REDIS_SENTINELS } };
  }
  return { url: config.REDIS_URL ?? '' };
}
