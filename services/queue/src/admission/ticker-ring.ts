import { createHash, randomUUID } from 'node:crypto';
import type { RedisClient } from '@ticketping/redis';

/**
 * One periodic admission ticker per queue, by rendezvous hashing over the live queue replicas.
 * Each replica heartbeats into one sorted set (member = its id, score = when its heartbeat runs
 * out) and reads the live members back, in one pipelined round trip per tick whatever the number
 * of queues. A queue is ticked by the live member with the highest hash(member, queue). So ten
 * replicas add poll capacity without adding tick load: the admission scripts run once per queue
 * per tick, not once per replica.
 *
 * Membership is eventually consistent (a replica that died is dropped when its heartbeat runs
 * out): for that moment a queue may be ticked twice or skipped for a tick. Both are harmless: the
 * admission script is atomic and decides from the state it finds.
 */
export const TICKER_RING_KEY = 'tp:admission:tickers';

export interface TickerRing {
  readonly id: string;
  /** Heartbeats, then returns the queues among `queueIds` this replica ticks. */
  owned(queueIds: readonly string[]): Promise<string[]>;
  /** Leaves the ring at once (on shutdown), so the others take over at their next tick. */
  leave(): Promise<void>;
}

export function rendezvousOwner(members: readonly string[], queueId: string): string | undefined {
  let best: string | undefined;
  let bestWeight = '';
  for (const member of members) {
    const weight = createHash('sha1').update(`${member}\u0000${queueId}`).digest('hex');
    if (best === undefined || weight > bestWeight) {
      best = member;
      bestWeight = weight;
    }
  }
  return best;
}

export function createTickerRing(redis: RedisClient, options: { ttlMs: number; key?: string; id?: string }): TickerRing {
  const key = options.key ?? TICKER_RING_KEY;
  const id = options.id ?? randomUUID();
  return {
    id,
    async owned(queueIds) {
      const now = Date.now();
      const replies = await redis.multi()
        .zadd(key, now + options.ttlMs, id)
        .zremrangebyscore(key, '-inf', now)
        .zrange(key, 0, -1)
        .pexpire(key, options.ttlMs * 10)
        .exec();
      const members = (replies?.[2]?.[1] as string[] | undefined) ?? [id];
      return queueIds.filter((queueId) => rendezvousOwner(members, queueId) === id);
    },
    async leave() {
      await redis.zrem(key, id);
    },
  };
}

/**
 * How long a replica counts as live after its heartbeat: three ticks, so one slow tick does not
 * hand its queues over, but never past 10 s, so a replica configured to tick rarely does not hold
 * queues it ticks once an hour.
 */
export function tickerTtlMs(tickMs: number): number {
  return Math.min(10_000, Math.max(1500, 3 * tickMs));
}
