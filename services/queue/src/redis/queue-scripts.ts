import type { AccessCodeLane } from '@ticketping/contracts/http';
import { QUEUE_INDEX_KEY, queueKeys, runScript, type RedisClient, type ScriptArg } from '@ticketping/redis';
import * as lua from './lua/index.generated.ts';

/**
 * The queue's Redis protocol, one typed wrapper per Lua script (src/redis/lua, whose headers name
 * KEYS, ARGV and the reply): keys are taken by name from the performance's `queueKeys`, arguments
 * are passed by name, and the positional reply is decoded here into an object. Nothing outside
 * this file knows a key's or a reply field's position.
 */

export type QueueState = 'OPEN' | 'PAUSED' | 'CLOSED' | 'SOLD_OUT';

/** The timing rules the entry and admit scripts take, in milliseconds (from config). */
export interface QueueTuning {
  activeWindowMs: number;
  maxActiveMs: number;
  graceMs: number;
  minPollMs: number;
  maxPollMs: number;
  pollBudgetPerSecond: number;
  maxLineFactor: number;
  /** A pre-queued fan must enter or poll within this long before the open, or is dropped at it (0: no rule). */
  presenceWindowMs: number;
  maxAdmitPerTick: number;
  sweepBatch: number;
  preQueueChunk: number;
  outcomeTtlMs: number;
  retainMs: number;
}

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
  /** The access-code lane the fan waits in; '' in the general line. */
  lane: '' | AccessCodeLane;
  /** WAITING: the figures the odds are estimated from, as of the last tick; null when the seats are unknown. */
  odds: OddsFigures | null;
}

/** What the admission tick leaves in stats.odds for every poll to read (see admit-14.lua, step 6). */
export interface OddsFigures {
  seatsLeft: number;
  seatsPerOrder: number;
  seatsPerOrderMeasured: boolean;
  orderShare: number;
  choosingNow: number;
  asOfMs: number;
}

/** stats.odds is `seatsLeft|seatsPerOrder|measured (1/0)|orderShare|choosingNow|asOfMs`, or '' when the seats are unknown. */
function parseOdds(text: string): OddsFigures | null {
  const parts = text.split('|').map(Number);
  if (parts.length !== 6 || parts.some((n) => !Number.isFinite(n))) return null;
  const [seatsLeft, seatsPerOrder, measured, orderShare, choosingNow, asOfMs] = parts as [number, number, number, number, number, number];
  return { seatsLeft, seatsPerOrder, seatsPerOrderMeasured: measured === 1, orderShare, choosingNow, asOfMs };
}

export type EntryResult =
  | { kind: 'entry'; entry: EntryReply }
  | { kind: 'NO_QUEUE' | 'NOT_IN_QUEUE' | 'SOLD_OUT' | 'QUEUE_CLOSED' | 'EMAIL_NOT_VERIFIED' }
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
  /** The admin's setting: a ceiling. */
  admitPerMinute: number;
  /** The operator's rate while it is in force, else 0. */
  operatorAdmitPerMinute: number;
  /** What the tick admitted at: min(admitPerMinute, operatorAdmitPerMinute when set). */
  effectiveAdmitPerMinute: number;
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
  requireVerifiedEmail: boolean;
}

export type OrderEventKind = 'created' | 'confirmed' | 'cancelled' | 'expired' | 'refunded';
export type LeaveResult = 'ACTIVE' | 'WAITING' | 'PRE_QUEUE' | 'LANE' | 'NONE';
export type OrderEventResult = 'NO_QUEUE' | 'EXTENDED' | 'FREED' | 'UNCHANGED';

type Reply = ScriptArg[];

/**
 * entry-12.lua: enters the line (`enter`) or reads the fan's entry (`poll`), one EVALSHA. An entry
 * with `laneWanted` (the caller redeemed an access code) joins that lane.
 */
export async function runEntry(redis: RedisClient, performanceId: string, args: { userId: string; mode: 'enter' | 'poll'; emailVerified: 0 | 1; laneWanted: '' | AccessCodeLane } & Pick<QueueTuning, 'minPollMs' | 'maxPollMs' | 'pollBudgetPerSecond' | 'graceMs' | 'activeWindowMs' | 'maxLineFactor' | 'presenceWindowMs'>): Promise<EntryResult> {
  const [status, position, ahead, etaSeconds, pollAfterMs, windowEndMs, token, reason, opensAtMs, lane, odds] = (await runScript(redis, lua.entry, queueKeys(performanceId), args)) as Reply;
  if (status === 'QUEUE_FULL') return { kind: 'QUEUE_FULL', retryAfterSeconds: Number(windowEndMs) };
  if (status === 'WAITING' || status === 'ADMITTED' || status === 'EXPIRED') {
    return {
      kind: 'entry',
      entry: {
        status, position: Number(position), ahead: Number(ahead), etaSeconds: Number(etaSeconds), pollAfterMs: Number(pollAfterMs),
        windowEndMs: Number(windowEndMs), token: String(token), reason: String(reason), opensAtMs: Number(opensAtMs),
        lane: (lane || '') as '' | AccessCodeLane, odds: odds ? parseOdds(String(odds)) : null,
      },
    };
  }
  return { kind: status as 'NO_QUEUE' | 'NOT_IN_QUEUE' | 'SOLD_OUT' | 'QUEUE_CLOSED' | 'EMAIL_NOT_VERIFIED' };
}

/** admit-14.lua: one admission tick (the access-code lane first; leaves the odds' figures in stats). */
export async function runAdmit(redis: RedisClient, performanceId: string, args: Pick<QueueTuning, 'maxAdmitPerTick' | 'sweepBatch' | 'preQueueChunk' | 'minPollMs' | 'maxPollMs' | 'graceMs' | 'outcomeTtlMs' | 'retainMs' | 'presenceWindowMs'>): Promise<TickResult> {
  const reply = (await runScript(redis, lua.admit, queueKeys(performanceId), args)) as Reply;
  const [nowMs, state, , expired, abandoned, waiting, active, capacity, admitPerMinute, admitRatePerMinute, etaSecondsOfLast, operatorAdmitPerMinute, effectiveAdmitPerMinute] = reply;
  return {
    nowMs: Number(nowMs ?? 0), state: String(state) as TickResult['state'], admitted: reply.slice(13).map(String),
    expired: Number(expired ?? 0), abandoned: Number(abandoned ?? 0), waiting: Number(waiting ?? 0), active: Number(active ?? 0),
    capacity: Number(capacity ?? 0), admitPerMinute: Number(admitPerMinute ?? 0), admitRatePerMinute: Number(admitRatePerMinute ?? 0),
    etaSecondsOfLast: Number(etaSecondsOfLast ?? 0), operatorAdmitPerMinute: Number(operatorAdmitPerMinute ?? 0),
    effectiveAdmitPerMinute: Number(effectiveAdmitPerMinute ?? 0),
  };
}

/** storeToken-2.lua: keeps the token signed for the fan's current window; false when the window changed. */
export async function runStoreToken(redis: RedisClient, performanceId: string, args: { userId: string; windowEndMs: number; token: string }): Promise<boolean> {
  return (await runScript(redis, lua.storeToken, queueKeys(performanceId), args)) === 1;
}

/** leave-7.lua: out of the line, the access-code lane or the pre-queue, or the active slot freed. */
export async function runLeave(redis: RedisClient, performanceId: string, args: { userId: string }): Promise<LeaveResult> {
  return (await runScript(redis, lua.leave, queueKeys(performanceId), args)) as LeaveResult;
}

/** createQueue-3.lua: creates the queue or updates its schedule; true when it was created. */
export async function runCreateQueue(redis: RedisClient, performanceId: string, args: { capacity: number; admitPerMinute: number; opensAtMs: number; closesAtMs: number; totalSeats: number; drawSeed: string; drawCommitment: string; requireVerifiedEmail: 0 | 1; maxSeatsPerOrder: number }): Promise<boolean> {
  return (await runScript(redis, lua.createQueue, queueKeys(performanceId), args)) === 1;
}

/** configure-1.lua: sets (or, with null, removes) settings; false when there is no such queue. */
export async function runConfigure(redis: RedisClient, performanceId: string, change: Readonly<Record<string, string | number | null>>): Promise<boolean> {
  const pairs = Object.entries(change).flatMap(([field, value]) => [field, value === null ? '' : String(value)]);
  return (await runScript(redis, lua.configure, queueKeys(performanceId), {}, pairs)) === 1;
}

/** orderEvent-5.lua: applies a booking order event to the fan's admission and the seats taken. */
export async function runOrderEvent(redis: RedisClient, performanceId: string, args: { kind: OrderEventKind; userId: string; orderId: string; seats: number; occurredAtMs: number } & Pick<QueueTuning, 'activeWindowMs' | 'maxActiveMs'>): Promise<OrderEventResult> {
  return (await runScript(redis, lua.orderEvent, queueKeys(performanceId), args)) as OrderEventResult;
}

/** describe-7.lua: the settings and live figures, or undefined when there is no such queue. */
export async function runDescribe(redis: RedisClient, performanceId: string): Promise<QueueView | undefined> {
  const reply = (await runScript(redis, lua.describe, queueKeys(performanceId), {})) as Reply;
  if (reply.length === 0) return undefined;
  const [capacity, admitPerMinute, state, opensAtMs, closesAtMs, totalSeats, maxLine, drawSeed, drawCommitment, openedAtMs, preQueued, waiting, active, admitRatePerMinute, etaSeconds, seatsTaken, requireVerifiedEmail] = reply;
  const text = (value: ScriptArg | undefined) => (value === '' || value === undefined ? null : String(value));
  return {
    capacity: Number(capacity ?? 0), admitPerMinute: Number(admitPerMinute ?? 0), state: String(state) as QueueState,
    opensAtMs: Number(opensAtMs ?? 0), closesAtMs: Number(closesAtMs ?? 0), totalSeats: Number(totalSeats ?? 0),
    maxLine: text(maxLine) === null ? null : Number(maxLine), drawSeed: text(drawSeed), drawCommitment: text(drawCommitment),
    openedAtMs: text(openedAtMs) === null ? null : Number(openedAtMs), preQueued: Number(preQueued ?? 0), waiting: Number(waiting ?? 0),
    active: Number(active ?? 0), admitRatePerMinute: Number(admitRatePerMinute ?? 0), etaSeconds: Number(etaSeconds ?? 0), seatsTaken: Number(seatsTaken ?? 0),
    requireVerifiedEmail: String(requireVerifiedEmail) === '1',
  };
}

/** index-1.lua: lists a performance in the index of waiting rooms, or takes it out. */
export async function runIndex(redis: RedisClient, args: { action: 'add' | 'remove'; performanceId: string }): Promise<boolean> {
  return (await runScript(redis, lua.index, { index: QUEUE_INDEX_KEY }, args)) === 1;
}

/**
 * rangeEntries-2.lua: counts one entry attempt from an address range (the proof-of-work's
 * difficulty) and returns its recent rate. The two window keys are the caller's: they live in the
 * range's own slot, not a performance's.
 */
export async function runRangeEntries(redis: RedisClient, keys: { current: string; previous: string }, args: { windowMs: number; elapsedMs: number }): Promise<number> {
  return Number(await runScript(redis, lua.rangeEntries, keys, args));
}
