import { env, kafkaSettings, loadConfig as load, serviceSettings, z } from '@ticketping/config';
import { edgeSettings } from '@ticketping/edge';

/**
 * The queue's environment. Defaults are the standalone defaults; `INTERNAL_TOKEN` has none on
 * purpose (a guessable default would let anyone who reaches the pod skip the gateway).
 */
export const queueConfigSchema = z
  .object({
    ...serviceSettings(8083),
    REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
    REDIS_CLUSTER_NODES: env.list().optional(),
    ...kafkaSettings('queue'),
    /** Private Ed25519 JWK, or a JSON array of them: the first signs, all are published. Unset: generated at start. */
    QUEUE_SIGNING_KEY: z.string().optional(),
    QUEUE_TOKEN_ISSUER: z.string().default('ticketping-queue'),
    /** How long an admitted fan may book, from the first poll after admission. */
    QUEUE_ACTIVE_WINDOW_SECONDS: env.int(600, 1),
    /** Booking activity extends the window, never past this total. */
    QUEUE_MAX_ACTIVE_SECONDS: env.int(1200, 1),
    /** A waiting fan who misses a poll by longer than this loses the place. */
    QUEUE_GRACE_SECONDS: env.int(60, 1),
    /** pollAfterMs bounds: the front of the line polls every QUEUE_MIN_POLL_MS. */
    QUEUE_MIN_POLL_MS: env.int(2000, 100),
    QUEUE_MAX_POLL_MS: env.int(300_000, 1000),
    /** About this many polls per second come from each band of people ahead; see README "Polling". */
    QUEUE_POLL_BUDGET_PER_SECOND: env.int(500, 1),
    /** Default line limit = factor × seats still available (0: no default limit). */
    QUEUE_MAX_LINE_FACTOR: env.int(2, 0),
    /**
     * A pre-queued fan must enter or poll within this many seconds before the open, or is dropped
     * at the open (EXPIRED, reason ABSENT); from the start of this window the line limit counts only
     * the pre-queued fans seen in it. Pre-queued fans are told to poll inside it. 0: no such rule.
     */
    QUEUE_PRESENCE_WINDOW_SECONDS: env.int(180, 0),
    QUEUE_TICK_MS: env.int(500, 10),
    /** ring: one replica ticks each queue (rendezvous hashing over live replicas); all: every replica ticks every queue. */
    QUEUE_TICKERS: z.enum(['ring', 'all']).default('ring'),
    QUEUE_MAX_ADMIT_PER_TICK: env.int(1000, 1),
    QUEUE_SWEEP_BATCH: env.int(1000, 1),
    QUEUE_PRE_QUEUE_CHUNK: env.int(2000, 1),
    /** How long a fan who lost the place can still read why (EXPIRED entry). */
    QUEUE_OUTCOME_TTL_SECONDS: env.int(3600, 1),
    /** Catalog's API: the performances on sale, from which queues Redis lost are re-created. */
    CATALOG_URL: z.string().url().default('http://127.0.0.1:8082'),
    /** How often each replica checks that every performance on sale has its waiting room (and at start). */
    QUEUE_REBUILD_INTERVAL_MS: env.int(5000, 50),
    /** How long after bookingClosesAt a queue's keys are kept. */
    QUEUE_RETAIN_SECONDS: env.int(86_400, 0),
    /**
     * Proof-of-work at entry: the default difficulty (ALTCHA maxnumber; a solver tries about half
     * of it) of a performance without its own (admin PATCH proofOfWorkMaxNumber); 0 = off.
     * The default takes about a second in headless Chromium on a shared 2-core machine (bench/pow).
     */
    QUEUE_POW_MAX_NUMBER: env.int(100_000, 0),
    /** HMAC key that signs challenges, shared by every replica. Unset: derived from INTERNAL_TOKEN. */
    QUEUE_POW_HMAC_KEY: z.string().min(32).optional(),
    /** How long a challenge may be solved and sent. */
    QUEUE_POW_TTL_SECONDS: env.int(120, 5),
    /** Entry attempts from one /24 or /64 per window that double the difficulty once (twice as many: twice). */
    QUEUE_POW_RANGE_STEP: env.int(30, 1),
    QUEUE_POW_RANGE_WINDOW_SECONDS: env.int(60, 1),
    /** The difficulty never grows past 2^this × the performance's. */
    QUEUE_POW_MAX_DOUBLINGS: env.int(6, 0),
    /**
     * One hop for a fan's own entry: serve GET and DELETE /api/v1/queues/{id}/entries/me from fans
     * directly (the ingress routes them here, chart `ingress.statusPollsToQueue`), with the gateway's
     * steps applied in process from the edge settings below. Off: only the gateway may call.
     */
    QUEUE_ONE_HOP: env.bool(false),
    /** The edge's settings (packages/edge), read only with QUEUE_ONE_HOP: set them as the gateway's. */
    ...edgeSettings,
  })
  .refine((c) => c.QUEUE_MAX_ACTIVE_SECONDS >= c.QUEUE_ACTIVE_WINDOW_SECONDS, {
    message: 'the maximum active time cannot be shorter than the active window',
    path: ['QUEUE_MAX_ACTIVE_SECONDS'],
  })
  .refine((c) => c.QUEUE_MAX_POLL_MS >= c.QUEUE_MIN_POLL_MS, {
    message: 'QUEUE_MAX_POLL_MS cannot be below QUEUE_MIN_POLL_MS',
    path: ['QUEUE_MAX_POLL_MS'],
  });

export type QueueConfig = z.infer<typeof queueConfigSchema>;

export function loadConfig(environment: Record<string, string | undefined> = process.env): QueueConfig {
  return load(queueConfigSchema, environment);
}
