/**
 * The waiting room's figures in Redis (packages/redis queue-keys.ts is the contract), read only:
 * the operator's rate goes through the queue service (queue-client.ts). One shared client serves
 * every QueueScaler.
 */
import { QUEUE_INDEX_KEY, parseQueueFigures, queueKeys, type RedisClient } from '@ticketping/redis';
import type { Opening } from './pre-warm.ts';
import type { QueueScalerSpec } from './types.ts';

/** Sums the chosen figure over one performance, or over every performance in `tp:queues`. */
export async function readQueueMetric(redis: RedisClient, source: QueueScalerSpec['source']): Promise<number> {
  const ids = source.performanceId ? [source.performanceId] : await redis.smembers(QUEUE_INDEX_KEY);
  // one HGETALL per performance; the client pipelines them into one round trip
  const hashes = await Promise.all(ids.map((id) => redis.hgetall(queueKeys(id).stats)));
  return hashes.reduce((sum, hash) => {
    const f = parseQueueFigures(hash);
    return sum + (source.metric === 'waiting' ? f.waiting : source.metric === 'active' ? f.active : f.waiting + f.active);
  }, 0);
}

/** Each room's scheduled open and the fans in its pre-queue (its count at the open, once opened), for the pre-warm. */
export async function readOpenings(redis: RedisClient, source: QueueScalerSpec['source']): Promise<Opening[]> {
  const ids = source.performanceId ? [source.performanceId] : await redis.smembers(QUEUE_INDEX_KEY);
  return Promise.all(ids.map(async (performanceId) => {
    const k = queueKeys(performanceId);
    const [opensAtMs, preCount, preQueued] = await Promise.all([redis.hget(k.config, 'opensAtMs'), redis.hget(k.runtime, 'preCount'), redis.zcard(k.preQueue)]);
    return { performanceId, opensAtMs: Number(opensAtMs ?? 0), preQueued: Math.max(preQueued, Number(preCount ?? 0)) };
  }));
}
