import type { TokenSigner } from '@ticketping/auth-tokens';
import type { AccessCodeLane, QueueOdds } from '@ticketping/contracts/http';
import { ConflictError, ForbiddenError, NotFoundError, ServiceUnavailableError } from '@ticketping/http';
import type { AccessCodes } from '../access-codes/access-code-client.ts';
import type { AdmissionLoop } from '../admission/admission-loop.ts';
import type { EntryReply, EntryResult, QueueState, QueueStore, SettingsChange } from '../redis/queue-store.ts';
import { estimateOdds } from './odds.ts';

/** The entry as the API returns it (docs/api.md, Waiting room). */
export interface Entry {
  performanceId: string;
  status: 'WAITING' | 'ADMITTED' | 'EXPIRED';
  position: number;
  ahead: number;
  etaSeconds: number;
  pollAfterMs: number;
  queueToken: string | null;
  expiresAt: string | null;
  /** Extensions: PRE_QUEUE while waiting for a scheduled open; why an entry EXPIRED. */
  reason: string | null;
  opensAt: string | null;
  lane: AccessCodeLane | null;
  odds: QueueOdds | null;
}

export interface QueueSummary {
  performanceId: string;
  waiting: number;
  active: number;
  capacity: number;
  admitPerMinute: number;
  state: QueueState;
  admitRatePerMinute: number;
  etaSeconds: number;
  maxLine: number | null;
  requireVerifiedEmail: boolean;
  opensAt: string | null;
  closesAt: string | null;
  proofOfWorkMaxNumber: number;
  draw: { commitment: string | null; seed: string | null; preQueued: number; algorithm: string } | null;
}

const DRAW_ALGORITHM = 'order by the integer of the first 13 hex digits of SHA-1(seed + ":" + userId), ties by userId bytes; commitment = SHA-256(seed)';

const iso = (ms: number) => (ms > 0 ? new Date(ms).toISOString() : null);

/** Polls come a little early rather than all at once (clients that started together drift apart). */
const jitter = (ms: number) => Math.round(ms * (0.9 + Math.random() * 0.1));

/** What the waiting room needs of the line's store: the Redis store, or the in-memory line of the unit tests. */
export type WaitingRoomStore = Pick<QueueStore, 'entry' | 'storeToken' | 'leave' | 'configure' | 'describe'>;

export interface WaitingRoomDeps {
  store: WaitingRoomStore;
  signer: Pick<TokenSigner, 'sign'>;
  /** Admits now (the head of an empty line, a freed slot, a queue opened) instead of at the next tick. */
  admission: Pick<AdmissionLoop, 'tick'>;
  /** Where an entry's access code is redeemed (catalog); without it an entry with a code is a 503. */
  accessCodes?: AccessCodes;
  /** Where the summary reads the entry's difficulty from; without it the summary says 0 (off). */
  proofOfWork?: { baseMaxNumber(performanceId: string): Promise<number | undefined> };
}

export function createWaitingRoom(deps: WaitingRoomDeps) {
  const { store, signer, admission, accessCodes } = deps;

  function failOn(result: EntryResult): EntryReply {
    switch (result.kind) {
      case 'entry': return result.entry;
      case 'NO_QUEUE': throw new NotFoundError('QUEUE_NOT_FOUND', 'This performance has no waiting room');
      case 'NOT_IN_QUEUE': throw new NotFoundError('NOT_IN_QUEUE', 'You are not in this waiting room; enter it first');
      case 'SOLD_OUT': throw new ConflictError('SOLD_OUT', 'This performance is sold out');
      case 'QUEUE_CLOSED': throw new ConflictError('QUEUE_CLOSED', 'This waiting room is closed');
      case 'EMAIL_NOT_VERIFIED': throw new ForbiddenError('EMAIL_NOT_VERIFIED', 'This sale admits only confirmed e-mail addresses: follow the link in the mail we sent at sign-up (or ask for a new one), then enter again');
      case 'QUEUE_FULL': throw new ServiceUnavailableError('QUEUE_FULL', 'The line is full; try again later', result.retryAfterSeconds);
    }
  }

  /** Signs a token for the current active window the first time it is asked for, then keeps it. */
  async function present(performanceId: string, userId: string, reply: EntryReply): Promise<Entry> {
    let token = reply.token;
    if (reply.status === 'ADMITTED' && !token) {
      const expiresInSeconds = Math.max(1, Math.floor(reply.windowEndMs / 1000) - Math.floor(Date.now() / 1000));
      ({ token } = await signer.sign({ subject: userId, audience: performanceId, expiresInSeconds }));
      await store.storeToken(performanceId, userId, reply.windowEndMs, token);
    }
    const admitted = reply.status === 'ADMITTED';
    return {
      performanceId,
      status: reply.status,
      position: reply.position,
      ahead: reply.ahead,
      etaSeconds: reply.etaSeconds,
      pollAfterMs: jitter(reply.pollAfterMs),
      queueToken: admitted ? token : null,
      expiresAt: admitted ? iso(reply.windowEndMs) : null,
      reason: reply.reason || null,
      opensAt: iso(reply.opensAtMs),
      lane: reply.lane || null,
      odds: reply.status === 'WAITING' && reply.odds ? estimateOdds(reply.odds, reply.ahead) : null,
    };
  }

  /**
   * Enters with an access code: catalog counts the use first (durably, once per fan), then the
   * fan joins the code's lane. A use the waiting room cannot honour (no room, closed, sold out)
   * is given back, so a closed sale burns no code.
   */
  async function enterLane(performanceId: string, userId: string, code: string, emailVerified: boolean): Promise<EntryResult> {
    if (!accessCodes) throw new ServiceUnavailableError('ACCESS_CODES_UNAVAILABLE', 'Access codes cannot be checked right now; try again shortly', 5);
    const grant = await accessCodes.redeem(performanceId, code, userId);
    const result = await store.entry(performanceId, userId, 'enter', { emailVerified, lane: grant.lane });
    if (result.kind !== 'entry' && grant.firstUse) await accessCodes.release(grant.codeId, userId);
    return result;
  }

  async function summary(performanceId: string): Promise<QueueSummary> {
    const [view, proofOfWorkMaxNumber] = await Promise.all([store.describe(performanceId), deps.proofOfWork?.baseMaxNumber(performanceId)]);
    if (!view) throw new NotFoundError('QUEUE_NOT_FOUND', 'This performance has no waiting room');
    return {
      performanceId,
      waiting: view.waiting,
      active: view.active,
      capacity: view.capacity,
      admitPerMinute: view.admitPerMinute,
      state: view.state,
      admitRatePerMinute: view.admitRatePerMinute,
      etaSeconds: view.etaSeconds,
      maxLine: view.maxLine,
      requireVerifiedEmail: view.requireVerifiedEmail,
      opensAt: iso(view.opensAtMs),
      closesAt: iso(view.closesAtMs),
      proofOfWorkMaxNumber: proofOfWorkMaxNumber ?? 0,
      draw: view.opensAtMs > 0 ? { commitment: view.drawCommitment, seed: view.drawSeed, preQueued: view.preQueued, algorithm: DRAW_ALGORITHM } : null,
    };
  }

  return {
    /** Enters the line (or an access code's lane); entering again returns the same entry. */
    async enter(performanceId: string, userId: string, options: { emailVerified?: boolean; accessCode?: string } = {}): Promise<Entry> {
      const emailVerified = options.emailVerified ?? false;
      let reply = failOn(options.accessCode
        ? await enterLane(performanceId, userId, options.accessCode, emailVerified)
        : await store.entry(performanceId, userId, 'enter', { emailVerified }));
      // at the head of an empty line: admit now rather than at the next tick (nobody is overtaken).
      // The entry is read again whatever this tick admitted: another replica's tick (or this
      // replica's loop) may have admitted the fan between the entry and this tick, and the fan
      // must then hear ADMITTED now, not WAITING until the next poll.
      if (reply.status === 'WAITING' && reply.ahead === 0 && reply.reason !== 'PRE_QUEUE') {
        await admission.tick(performanceId);
        reply = failOn(await store.entry(performanceId, userId, 'poll'));
      }
      return present(performanceId, userId, reply);
    },

    async status(performanceId: string, userId: string): Promise<Entry> {
      return present(performanceId, userId, failOn(await store.entry(performanceId, userId, 'poll')));
    },

    /** Leaves the line, or frees the slot at once for the next fan. */
    async leave(performanceId: string, userId: string): Promise<void> {
      if ((await store.leave(performanceId, userId)) === 'ACTIVE') await admission.tick(performanceId);
    },

    summary,

    async configure(performanceId: string, change: SettingsChange): Promise<QueueSummary> {
      if (!(await store.configure(performanceId, change))) throw new NotFoundError('QUEUE_NOT_FOUND', 'This performance has no waiting room');
      if (change.state === 'OPEN' || change.capacity !== undefined || change.admitPerMinute !== undefined) await admission.tick(performanceId);
      return summary(performanceId);
    },
  };
}

export type WaitingRoom = ReturnType<typeof createWaitingRoom>;
