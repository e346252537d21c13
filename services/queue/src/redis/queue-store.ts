import { createHash, randomBytes } from 'node:crypto';
import { ServiceUnavailableError } from '@ticketping/http';
import { QUEUE_INDEX_KEY, defineScripts, queueKeys, type RedisClient } from '@ticketping/redis';
import { scripts } from './lua/index.generated.ts';

/**
 * The waiting room's Redis side: one typed function per Lua script (src/redis/lua, whose headers
 * document KEYS, ARGV and replies). Every state change happens inside a script.
 */

/** The timing rules every script call needs, in milliseconds (from config). */
export interface QueueTuning {
  activeWindowMs: number;
  maxActiveMs: number;
  graceMs: number;
  minPollMs: number;
  maxPollMs: number;
  pollBudgetPerSecond: number;
  maxLineFactor: number;
  maxAdmitPerTick: number;
  sweepBatch: number;
  preQueueChunk: number;
  outcomeTtlMs: number;
  retainMs: number;
}

export type QueueState = 'OPEN' | 'PAUSED' | 'CLOSED' | 'SOLD_OUT';

export interface EntryReply {
  status: 'WAITING' | 'ADMITTED' | 'EXPIRED';
  position: number;
  ahead: number;
  etaSeconds: number;
  pollAfterMs: number;
  /** ADMITTED: when the active window ends. */
  windowEndMs: number;
  /** ADMITTED: the token already signed for this window, or '' when one must be signed. */
  token: string;
  /** PRE_QUEUE while waiting for the draw; why an entry EXPIRED. */
  reason: string;
  opensAtMs: number;
}

export type EntryResult =
  | { kind: 'entry'; entry: EntryReply }
  | { kind: 'NO_QUEUE' | 'NOT_IN_QUEUE' | 'SOLD_OUT' | 'QUEUE_CLOSED' }
  | { kind: 'QUEUE_FULL'; retryAfterSeconds: number };

export interface TickResult {
  nowMs: number;
  state: QueueState | 'NO_QUEUE' | 'RETIRED';
  admitted: string[];
  expired: number;
  abandoned: number;
  waiting: number;
  active: number;
  capacity: number;
  admitPerMinute: number;
  admitRatePerMinute: number;
  etaSecondsOfLast: number;
}

export interface QueueView {
  capacity: number;
  admitPerMinute: number;
  state: QueueState;
  opensAtMs: number;
  closesAtMs: number;
  totalSeats: number;
  maxLine: number | null;
  /** Published once the queue has opened (the draw can then be recomputed). */
  drawSeed: string | null;
  drawCommitment: string | null;
  openedAtMs: number | null;
  preQueued: number;
  waiting: number;
  active: number;
  admitRatePerMinute: number;
  etaSeconds: number;
  seatsTaken: number;
}

export interface NewQueue {
  capacity: number;
  admitPerMinute: number;
  opensAtMs: number;
  closesAtMs: number;
  totalSeats: number;
}

export type OrderEventKind = 'created' | 'confirmed' | 'cancelled' | 'expired' | 'refunded';
export type SettingsChange = Partial<{ capacity: number; admitPerMinute: number; state: QueueState; maxLine: number | null; proofOfWorkMaxNumber: number | null }>;

type Arg = string | number;
type ScriptCall = (...args: Arg[]) => Promise<unknown>;
type WithScripts = Record<'entry' | 'admit' | 'leave' | 'storeToken' | 'createQueue' | 'configure' | 'orderEvent' | 'describe' | 'index', ScriptCall>;

export type QueueStore = ReturnType<typeof createQueueStore>;

/** A queue's line keys, in the order the entry and admit scripts take them first. */
export function lineKeys(performanceId: string): string[] {
  const k = queueKeys(performanceId);
  return [k.config, k.stats, k.runtime, k.waiting, k.preQueue, k.active, k.admissions, k.outcomes, k.sequence, k.deadlines];
}

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
  const run = redis as unknown as WithScripts;
  const t = tuning;

  return failFastWithoutRedis(redis, {
    /** Enters the line (or returns the existing entry) / reads the entry: one EVALSHA. */
    async entry(performanceId: string, userId: string, mode: 'enter' | 'poll'): Promise<EntryResult> {
      const reply = (await run.entry(...lineKeys(performanceId), userId, mode, t.minPollMs, t.maxPollMs, t.pollBudgetPerSecond, t.graceMs, t.activeWindowMs, t.maxLineFactor)) as Arg[];
      const [status, position, ahead, etaSeconds, pollAfterMs, windowEndMs, token, reason, opensAtMs] = reply;
      if (status === 'QUEUE_FULL') return { kind: 'QUEUE_FULL', retryAfterSeconds: Number(windowEndMs) };
      if (status === 'WAITING' || status === 'ADMITTED' || status === 'EXPIRED') {
        return {
          kind: 'entry',
          entry: {
            status, position: Number(position), ahead: Number(ahead), etaSeconds: Number(etaSeconds), pollAfterMs: Number(pollAfterMs),
            windowEndMs: Number(windowEndMs), token: String(token), reason: String(reason), opensAtMs: Number(opensAtMs),
          },
        };
      }
      return { kind: status as 'NO_QUEUE' | 'NOT_IN_QUEUE' | 'SOLD_OUT' | 'QUEUE_CLOSED' };
    },

    async storeToken(performanceId: string, userId: string, windowEndMs: number, token: string): Promise<boolean> {
      const k = queueKeys(performanceId);
      return (await run.storeToken(k.active, k.admissions, userId, windowEndMs, token)) === 1;
    },

    async leave(performanceId: string, userId: string): Promise<'ACTIVE' | 'WAITING' | 'PRE_QUEUE' | 'NONE'> {
      const k = queueKeys(performanceId);
      return (await run.leave(k.waiting, k.preQueue, k.active, k.admissions, k.outcomes, userId)) as 'ACTIVE' | 'WAITING' | 'PRE_QUEUE' | 'NONE';
    },

    /** One admission tick (see admit-12.lua). */
    async admit(performanceId: string): Promise<TickResult> {
      const k = queueKeys(performanceId);
      const reply = (await run.admit(
        ...lineKeys(performanceId), k.admittedRecently, k.orders,
        t.maxAdmitPerTick, t.sweepBatch, t.preQueueChunk, t.minPollMs, t.maxPollMs, t.graceMs, t.outcomeTtlMs, t.retainMs,
      )) as Arg[];
      const n = (i: number) => Number(reply[i] ?? 0);
      return {
        nowMs: n(0), state: String(reply[1]) as TickResult['state'], admitted: reply.slice(11).map(String),
        expired: n(3), abandoned: n(4), waiting: n(5), active: n(6), capacity: n(7), admitPerMinute: n(8),
        admitRatePerMinute: n(9), etaSecondsOfLast: n(10),
      };
    },

    /**
     * Creates the queue (idempotent; see createQueue-3.lua) and lists it in the index. The draw
     * seed is drawn here; only the first one ever stored is kept.
     */
    async create(performanceId: string, queue: NewQueue): Promise<boolean> {
      const k = queueKeys(performanceId);
      const seed = randomBytes(16).toString('hex');
      const commitment = createHash('sha256').update(seed).digest('hex');
      const created = (await run.createQueue(k.config, k.runtime, k.stats,
        queue.capacity, queue.admitPerMinute, queue.opensAtMs, queue.closesAtMs, queue.totalSeats, seed, commitment)) === 1;
      await run.index(QUEUE_INDEX_KEY, 'add', performanceId);
      return created;
    },

    /** Whether the queue exists (its config does: every script treats a missing config as no queue). */
    async exists(performanceId: string): Promise<boolean> {
      return (await redis.hexists(queueKeys(performanceId).config, 'capacity')) === 1;
    },

    /** Lists an existing queue in the index again (the index is repaired by the rebuild, see rebuild-queues.ts). */
    async index(performanceId: string): Promise<void> {
      await run.index(QUEUE_INDEX_KEY, 'add', performanceId);
    },

    async forget(performanceId: string): Promise<void> {
      await run.index(QUEUE_INDEX_KEY, 'remove', performanceId);
    },

    async configure(performanceId: string, change: SettingsChange): Promise<boolean> {
      const args = Object.entries(change).flatMap(([field, value]) => [field, value === null ? '' : String(value)]);
      return (await run.configure(queueKeys(performanceId).config, ...args)) === 1;
    },

    async orderEvent(performanceId: string, kind: OrderEventKind, order: { userId: string; orderId: string; seats: number; occurredAtMs: number }) {
      const k = queueKeys(performanceId);
      return (await run.orderEvent(k.config, k.stats, k.active, k.admissions, k.orders,
        kind, order.userId, order.orderId, order.seats, order.occurredAtMs, t.activeWindowMs, t.maxActiveMs)) as 'NO_QUEUE' | 'EXTENDED' | 'FREED' | 'UNCHANGED';
    },

    async describe(performanceId: string): Promise<QueueView | undefined> {
      const k = queueKeys(performanceId);
      const r = (await run.describe(k.config, k.stats, k.runtime, k.waiting, k.preQueue, k.active)) as Arg[];
      if (r.length === 0) return undefined;
      const n = (i: number) => Number(r[i] ?? 0);
      const s = (i: number) => (r[i] === '' || r[i] === undefined ? null : String(r[i]));
      return {
        capacity: n(0), admitPerMinute: n(1), state: String(r[2]) as QueueState, opensAtMs: n(3), closesAtMs: n(4), totalSeats: n(5),
        maxLine: s(6) === null ? null : n(6), drawSeed: s(7), drawCommitment: s(8), openedAtMs: s(9) === null ? null : n(9),
        preQueued: n(10), waiting: n(11), active: n(12), admitRatePerMinute: n(13), etaSeconds: n(14), seatsTaken: n(15),
      };
    },

    async listQueues(): Promise<string[]> {
      return redis.smembers(QUEUE_INDEX_KEY);
    },
  });
}
