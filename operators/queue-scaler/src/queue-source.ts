/**
 * The waiting room's figures in Redis (packages/redis queue-keys.ts is the contract), and the
 * capacity feedback written back to a queue's config. One shared client serves every QueueScaler.
 */
import { QUEUE_INDEX_KEY, parseQueueFigures, queueKeys, type RedisClient } from '@ticketping/redis';
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

/** The admission rate booking can serve: ready replicas × the per-replica rate, within the admin's bounds. */
export function admitPerMinuteFor(readyReplicas: number, feedback: NonNullable<QueueScalerSpec['capacityFeedback']>): number {
  const raw = readyReplicas * feedback.admitPerMinutePerReplica;
  return Math.min(Math.max(Math.floor(raw), feedback.minAdmitPerMinute), feedback.maxAdmitPerMinute);
}

/** Sets `admitPerMinute` in the queue's config hash (the queue re-reads it every admission tick); true if it changed. */
export async function writeAdmitPerMinute(redis: RedisClient, performanceId: string, admitPerMinute: number): Promise<boolean> {
  const key = queueKeys(performanceId).config;
  const current = await redis.hget(key, 'admitPerMinute');
  if (current !== null && Number(current) === admitPerMinute) return false;
  await redis.hset(key, 'admitPerMinute', String(admitPerMinute));
  return true;
}
