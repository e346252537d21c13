/**
 * The waiting rooms' Redis, per QueueScaler: the default connection (REDIS_URL, REDIS_CLUSTER_NODES
 * for a Redis Cluster as the production values offer, or REDIS_SENTINELS + REDIS_SENTINEL_MASTER for
 * a Sentinel set) and named ones from REDIS_CONNECTIONS that a QueueScaler picks with `spec.redisRef`:
 * each a single URL, a Cluster, or a Sentinel set (master name + sentinel addresses; the client asks
 * the sentinels where the master is, and follows a failover). A name maps to connection
 * settings held by the operator (its environment, from a Secret), never in the QueueScaler, so
 * passwords stay out of custom resources and out of the operator's RBAC. Clients are made on first
 * use and shared by every QueueScaler that names them.
 */
import type { Logger } from '@ticketping/logger';
import { createRedis, type RedisClient } from '@ticketping/redis';
import { z } from '@ticketping/config';

const HostPort = z.string().regex(/^[^:\s]+:\d+$/);

export const RedisSentinelSettings = z.object({
  masterName: z.string().min(1),
  sentinels: z.array(HostPort).min(1),
  password: z.string().min(1).optional(),
  sentinelPassword: z.string().min(1).optional(),
}).strict();

export const RedisConnectionSettings = z.object({
  url: z.string().regex(/^rediss?:\/\//).optional(),
  clusterNodes: z.array(HostPort).min(1).optional(),
  sentinel: RedisSentinelSettings.optional(),
}).strict().refine((c) => [c.url, c.clusterNodes, c.sentinel].filter(Boolean).length === 1, { message: 'give one of url, clusterNodes or sentinel' });
export type RedisConnectionSettings = z.infer<typeof RedisConnectionSettings>;

export const RedisConnectionsSetting = z.record(z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/), RedisConnectionSettings);
export type RedisConnectionsSetting = z.infer<typeof RedisConnectionsSetting>;

export interface RedisConnections {
  /** The client for a QueueScaler's `redisRef` (the default connection when unset). Throws for an unknown name. */
  for(ref: string | undefined): RedisClient;
  disconnectAll(): void;
}

export function createRedisConnections(options: {
  defaultConnection: RedisConnectionSettings;
  named: RedisConnectionsSetting;
  logger: Logger;
}): RedisConnections {
  const clients = new Map<string, RedisClient>();
  const open = (name: string, settings: RedisConnectionSettings) => {
    const client = createRedis({
      ...(settings.clusterNodes?.length ? { clusterNodes: settings.clusterNodes }
        : settings.sentinel ? { sentinel: settings.sentinel } : { url: settings.url ?? '' }),
      maxRetriesPerRequest: 1,
    });
    client.on('error', (error: Error) => options.logger.debug({ err: error, redis: name }, 'redis connection error'));
    clients.set(name, client);
    return client;
  };
  return {
    for(ref) {
      const name = ref ?? '';
      const existing = clients.get(name);
      if (existing) return existing;
      if (!ref) return open('', options.defaultConnection);
      const settings = options.named[ref];
      if (!settings) throw new Error(`redisRef ${ref} is not one of the operator's REDIS_CONNECTIONS (${Object.keys(options.named).join(', ') || 'none'})`);
      return open(ref, settings);
    },
    disconnectAll() {
      for (const client of clients.values()) client.disconnect();
      clients.clear();
    },
  };
}
