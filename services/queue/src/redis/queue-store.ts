import { createHash, randomBytes } from 'node:crypto';
import { ServiceUnavailableError } from '@ticketping/http';
import type { AccessCodeLane } from '@ticketping/contracts/http';
import { QUEUE_INDEX_KEY, defineScripts, queueKeys, type RedisClient } from '@ticketping/redis';
import { scripts } from './lua/index.generated.ts';
import {
  runAdmit, runConfigure, runCreateQueue, runDescribe, runEntry, runIndex, runLeave, runOrderEvent, runStoreToken,
  type EntryResult, type LeaveResult, type OrderEventKind, type OrderEventResult, type QueueState, type QueueTuning, type QueueView, type TickResult,
} from './queue-scripts.ts';

export type { EntryReply, EntryResult, OddsFigures, OrderEventKind, QueueState, QueueTuning, QueueView, TickResult } from './queue-scripts.ts';

/**
 * The waiting room's Redis side, over the typed script wrappers of queue-scripts.ts: the tuning
 * every call needs, the draw seed, the index, and a fast 503 while Redis is out of reach. Every
 * state change happens inside a script.
 */

export interface NewQueue {
  capacity: number;
  admitPerMinute: number;
  opensAtMs: number;
  closesAtMs: number;
  totalSeats: number;
  /** Only accounts with a confirmed e-mail address may enter (default: anyone logged in). */
  requireVerifiedEmail?: boolean;
  /** Unknown: 0 (the odds then assume 1 seat per order until the first order). */
  maxSeatsPerOrder?: number;
}

/** How an entry is made: whether the caller's address is confirmed, and the lane of a redeemed access code. */
export interface EntryOptions {
  emailVerified?: boolean;
  lane?: '' | AccessCodeLane;
}

export type SettingsChange = Partial<{ capacity: number; admitPerMinute: number; state: QueueState; maxLine: number | null; proofOfWorkMaxNumber: number | null }>;

export type QueueStore = ReturnType<typeof createQueueStore>;

/** Seconds a fan is told to wait when Redis cannot be reached (reconnection is tried every ≤ 2 s). */
const RETRY_AFTER_REDIS_DOWN_SECONDS = 2;

const redisUnavailable = () => new ServiceUnavailableError('QUEUE_UNAVAILABLE', 'The waiting room cannot reach its store right now; poll again shortly (your place is kept)', RETRY_AFTER_REDIS_DOWN_SECONDS);

/**
 * Wraps every store call: while the connection is known to be lost, a call fails at once with 503
 * and Retry-After instead of waiting in the client's offline queue (a poll would otherwise hang for
 * the reconnection attempts and end as a 500). A call cut off mid-flight ends the same way. A
 * script's own error (ReplyError) is a bug, not an outage, and stays one.
 */
export function failFastWithoutRedis<T extends Record<string, (...args: never[]) => Promise<unknown>>>(redis: RedisClient, store: T): T {
  const lost = new Set(['reconnecting', 'close', 'end']);
  const guarded: Record<string, unknown> = {};
  for (const [name, call] of Object.entries(store)) {
    guarded[name] = async (...args: never[]) => {
      if (lost.has(redis.status)) throw redisUnavailable();
      try {
        return await call(...args);
      } catch (error) {
        if (error instanceof Error && error.name !== 'ReplyError' && (lost.has(redis.status) || isConnectionError(error))) throw redisUnavailable();
        throw error;
      }
    };
  }
  return guarded as T;
}

/** ioredis' ways of saying the server is out of reach (as opposed to an answer it gave). */
function isConnectionError(error: Error): boolean {
  return error.name === 'MaxRetriesPerRequestError' || /Connection is closed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Command timed out|Stream isn't writeable|ClusterAllFailedError|All nodes failed/i.test(`${error.name} ${error.message}`);
}

export function createQueueStore(redis: RedisClient, tuning: QueueTuning) {
  defineScripts(redis, scripts);
  const t = tuning;

  return failFastWithoutRedis(redis, {
    /** Enters the line (or returns the existing entry) / reads the entry: one EVALSHA. */
    async entry(performanceId: string, userId: string, mode: 'enter' | 'poll', options: EntryOptions = {}): Promise<EntryResult> {
      return runEntry(redis, performanceId, { ...t, userId, mode, emailVerified: options.emailVerified ? 1 : 0, laneWanted: options.lane ?? '' });
    },

    async storeToken(performanceId: string, userId: string, windowEndMs: number, token: string): Promise<boolean> {
      return runStoreToken(redis, performanceId, { userId, windowEndMs, token });
    },

    async leave(performanceId: string, userId: string): Promise<LeaveResult> {
      return runLeave(redis, performanceId, { userId });
    },

    /** One admission tick (see admit-14.lua). */
    async admit(performanceId: string): Promise<TickResult> {
      return runAdmit(redis, performanceId, t);
    },

    /**
     * Creates the queue (idempotent; see createQueue-3.lua) and lists it in the index. The draw
     * seed is drawn here; only the first one ever stored is kept.
     */
    async create(performanceId: string, queue: NewQueue): Promise<boolean> {
      const drawSeed = randomBytes(16).toString('hex');
      const drawCommitment = createHash('sha256').update(drawSeed).digest('hex');
      const created = await runCreateQueue(redis, performanceId, { ...queue, drawSeed, drawCommitment, requireVerifiedEmail: queue.requireVerifiedEmail ? 1 : 0, maxSeatsPerOrder: queue.maxSeatsPerOrder ?? 0 });
      await runIndex(redis, { action: 'add', performanceId });
      return created;
    },

    /** Whether the queue exists (its config does: every script treats a missing config as no queue). */
    async exists(performanceId: string): Promise<boolean> {
      return (await redis.hexists(queueKeys(performanceId).config, 'capacity')) === 1;
    },

    /** Lists an existing queue in the index again (the index is repaired by the rebuild, see rebuild-queues.ts). */
    async index(performanceId: string): Promise<void> {
      await runIndex(redis, { action: 'add', performanceId });
    },

    async forget(performanceId: string): Promise<void> {
      await runIndex(redis, { action: 'remove', performanceId });
    },

    async configure(performanceId: string, change: SettingsChange): Promise<boolean> {
      return runConfigure(redis, performanceId, change);
    },

    /**
     * The operator's own rate field, beside the admin's admitPerMinute (never written here): the
     * admission tick uses the lower of the two until `untilMs`. Returns the admin's ceiling, or
     * undefined when there is no such queue.
     */
    async setOperatorRate(performanceId: string, admitPerMinute: number, untilMs: number): Promise<number | undefined> {
      if (!(await runConfigure(redis, performanceId, { operatorAdmitPerMinute: admitPerMinute, operatorRateUntilMs: untilMs }))) return undefined;
      return Number(await redis.hget(queueKeys(performanceId).config, 'admitPerMinute'));
    },

    async orderEvent(performanceId: string, kind: OrderEventKind, order: { userId: string; orderId: string; seats: number; occurredAtMs: number }): Promise<OrderEventResult> {
      return runOrderEvent(redis, performanceId, { ...t, ...order, kind });
    },

    async describe(performanceId: string): Promise<QueueView | undefined> {
      return runDescribe(redis, performanceId);
    },

    async listQueues(): Promise<string[]> {
      return redis.smembers(QUEUE_INDEX_KEY);
    },
  });
}
