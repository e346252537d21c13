import { Cluster, Redis, type RedisOptions } from 'ioredis';

export type RedisClient = Redis | Cluster;

export interface RedisConfig {
  /** redis://host:port for a single node (or a Sentinel-less primary). */
  url?: string | undefined;
  /** host:port list: connect as a Redis Cluster client instead. */
  clusterNodes?: string[] | undefined;
  /** Fail commands fast while disconnected instead of queueing them without bound. */
  maxRetriesPerRequest?: number;
  lazyConnect?: boolean;
}

/**
 * One factory for single-node and Cluster; both speak the same command API. Auto-pipelining stays
 * off: with 64 concurrent callers it was slower (106k against 121k EVALSHA/s from one process) and
 * made V8 promote every command to the old generation (scavenges of 11–17 ms instead of 0.3).
 */
export function createRedis(config: RedisConfig): RedisClient {
  const options: RedisOptions = {
    maxRetriesPerRequest: config.maxRetriesPerRequest ?? 2,
    enableAutoPipelining: false,
    lazyConnect: config.lazyConnect ?? false,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2000),
  };
  if (config.clusterNodes?.length) {
    const nodes = config.clusterNodes.map((node) => {
      const [host = '127.0.0.1', port = '6379'] = node.split(':');
      return { host, port: Number(port) };
    });
    return new Cluster(nodes, { redisOptions: options, enableAutoPipelining: false });
  }
  if (!config.url) throw new Error('either a Redis url or cluster nodes are required');
  return new Redis(config.url, options);
}

/** Readiness check: a PING answered within the command timeout. */
export async function pingRedis(redis: RedisClient): Promise<void> {
  const answer = await redis.ping();
  if (answer !== 'PONG') throw new Error(`unexpected PING answer ${answer}`);
}
