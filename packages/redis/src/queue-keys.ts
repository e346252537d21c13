/**
 * Where a waiting room keeps its state in Redis: the contract between services/queue (the only
 * writer, through Lua) and its readers, the queue-scaler operator and dashboards.
 *
 * Every key of one performance carries the hash tag `{q:<performanceId>}`, so a Redis Cluster keeps
 * the whole queue in one slot and each Lua script touches a single shard. `tp:queues` (no tag) is
 * the index; it is only ever touched on its own.
 */
export const QUEUE_INDEX_KEY = 'tp:queues';

export function queueKeys(performanceId: string) {
  const tag = `tp:{q:${performanceId}}`;
  return {
    /**
     * hash: capacity, admitPerMinute, state (OPEN|PAUSED|CLOSED|SOLD_OUT), opensAtMs, closesAtMs,
     * totalSeats, maxLine, drawSeed, drawCommitment. The operator may HSET admitPerMinute; the
     * admission tick re-reads it every time.
     */
    config: `${tag}:config`,
    /**
     * hash, refreshed by every admission tick: waiting, active, admittedTotal, expiredTotal,
     * abandonedTotal, admitRatePerMinute (measured), etaSeconds (of the last fan), updatedAtMs,
     * and seatsTaken (seats in live or paid orders). One HGETALL reads every figure.
     */
    stats: `${tag}:stats`,
    /** hash: bookkeeping of the scripts (openedAtMs, pre-queue sequence range, sweep cursor) */
    runtime: `${tag}:runtime`,
    /** zset: userId → arrival sequence (the line, FIFO) */
    waiting: `${tag}:waiting`,
    /**
     * string used as an array of u32 (BITFIELD), indexed by arrival sequence: the time in epoch
     * seconds by which that waiting fan must poll again (abandonment). 4 bytes per fan, no per-fan key.
     */
    deadlines: `${tag}:deadlines`,
    /** zset: userId → active-window end in ms (the active set; its size is the capacity in use) */
    active: `${tag}:active`,
    /** hash: userId → admission record `admittedAtMs|claimedAtMs|tokenWindowEndMs|token` */
    admissions: `${tag}:admissions`,
    /** zset: admissions of the last minute, scored by time in ms (the admission-rate window) */
    admittedRecently: `${tag}:rate`,
    /** string: the arrival sequence counter */
    sequence: `${tag}:seq`,
    /** zset: userId → access-code holders ahead of the line (presale: arrival sequence; priority: 1e12 + arrival sequence) */
    lane: `${tag}:lane`,
    /** zset: userId → draw value (the pre-queue before a scheduled open, ordered by the draw) */
    preQueue: `${tag}:pre`,
    /** zset: pre-queued userId → when the fan last entered or polled (ms), for the presence rule before the open */
    presence: `${tag}:presence`,
    /** hash: userId → why the fan is no longer in the line (EXPIRED, ABANDONED), kept a short while */
    outcomes: `${tag}:outcomes`,
    /** hash: orderId → seats, for orders holding or owning seats (seats still available = totalSeats − Σ) */
    orders: `${tag}:orders`,
  };
}

export type QueueKeys = ReturnType<typeof queueKeys>;

/** The figures the operator reads from `stats`. */
export interface QueueFigures {
  waiting: number;
  active: number;
  admittedTotal: number;
  expiredTotal: number;
  abandonedTotal: number;
  admitRatePerMinute: number;
  updatedAtMs: number;
}

export function parseQueueFigures(hash: Record<string, string>): QueueFigures {
  const n = (k: string) => Number(hash[k] ?? 0) || 0;
  return {
    waiting: n('waiting'),
    active: n('active'),
    admittedTotal: n('admittedTotal'),
    expiredTotal: n('expiredTotal'),
    abandonedTotal: n('abandonedTotal'),
    admitRatePerMinute: n('admitRatePerMinute'),
    updatedAtMs: n('updatedAtMs'),
  };
}
