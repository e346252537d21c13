/**
 * Where a waiting room keeps its state in Redis: the contract between services/queue (the only
 * writer, through Lua) and its readers, the queue-scaler operator and dashboards.
 *
 * Every key of one performance carries the hash tag `{q:<performanceId>}`, so a Redis Cluster keeps
 * the whole queue in one slot and each Lua script touches a single shard.
 */
export const QUEUE_INDEX_KEY = 'tp:queues';

export function queueKeys(performanceId: string) {
  const tag = `tp:{q:${performanceId}}`;
  return {
    /** hash: capacity, admitPerMinute, state (OPEN|PAUSED|CLOSED|SOLD_OUT), and the other settings */
    config: `${tag}:config`,
    /**
     * hash, refreshed by every admission tick: waiting, active, admittedTotal, expiredTotal,
     * abandonedTotal, admitRatePerMinute (measured), updatedAtMs. One HGETALL reads every figure.
     */
    stats: `${tag}:stats`,
    /** zset: userId → arrival sequence (the line, FIFO) */
    waiting: `${tag}:waiting`,
    /** zset: userId → last poll time in ms (abandonment sweep) */
    lastSeen: `${tag}:seen`,
    /** zset: userId → active-window expiry in ms (the active set; its size is the capacity in use) */
    active: `${tag}:active`,
    /** hash: userId → admission details (jti, admittedAt, hard deadline) */
    admissions: `${tag}:admissions`,
    /** zset: admission timestamps in ms within the last minute (the admission-rate window) */
    admittedRecently: `${tag}:rate`,
    /** string: the arrival sequence counter */
    sequence: `${tag}:seq`,
    /** zset: userId → random draw (the pre-queue before a scheduled open) */
    preQueue: `${tag}:pre`,
    /** hash: userId → terminal status for fans who left the line (EXPIRED), kept a short while */
    outcomes: `${tag}:outcomes`,
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
