import { createHmac } from 'node:crypto';
import { createChallenge, extractParams } from 'altcha-lib/v1';
import type { ProofOfWorkChallenge, ProofOfWorkSolution } from '@ticketping/contracts/http';
import { addressRange, AppError, canonicalAddress, ConflictError, ForbiddenError, NotFoundError } from '@ticketping/http';
import { queueKeys, type RedisClient } from '@ticketping/redis';
import { runRangeEntries } from '../redis/queue-scripts.ts';
import { failFastWithoutRedis } from '../redis/queue-store.ts';
import { verifySolutionSync } from './verify.ts';

/**
 * Proof-of-work at entry (ALTCHA v1: find n with SHA-256(salt + n) = challenge). v1 rather than
 * the library's default v2 on purpose: v2 derives a key (PBKDF2, scrypt, Argon2) and the server
 * pays one derivation per verification, which an entry path aiming at thousands of entries a
 * second cannot afford; v1 costs the server one SHA-256 and one HMAC (verify.ts). The library
 * issues the challenges and reads their parameters.
 *
 * A challenge is bound to the account, the performance and an expiry through the salt's signed
 * parameters (`p`, `u`, `expires`): the HMAC covers SHA-256(salt + n), so none of them can be
 * changed without the signature failing. Single use: the first entry with a solution marks its
 * signature spent in Redis (SET NX, until the challenge would have expired anyway).
 */
export interface ProofOfWorkSettings {
  hmacKey: string;
  /** The base difficulty of a performance that has none of its own; 0 = off. */
  defaultMaxNumber: number;
  ttlSeconds: number;
  /** Entry attempts per range per window that double the difficulty once (2 × this: twice, …). */
  rangeStep: number;
  rangeWindowMs: number;
  maxDoublings: number;
}

/** The config hash field holding a performance's own difficulty (absent: the default). */
export const POW_FIELD = 'proofOfWorkMaxNumber';

/** When proof-of-work is off, a challenge is still issued (clients that always solve keep working), solved in one try. */
const TRIVIAL_MAX_NUMBER = 1;

/** A secret every replica shares without a new setting: the internal token, through HMAC with a label of its own. */
export function derivedHmacKey(internalToken: string): string {
  return createHmac('sha256', internalToken).update('ticketping queue proof-of-work v1').digest('hex');
}

/** What became of a proof: accepted, not needed (off), or the refusal's code; and challenges issued above the base difficulty. */
export type ProofOfWorkOutcome = 'ACCEPTED' | 'OFF' | 'PROOF_OF_WORK_REQUIRED' | 'PROOF_OF_WORK_INVALID' | 'PROOF_OF_WORK_EXPIRED' | 'PROOF_OF_WORK_REPLAYED';
export interface ProofOfWorkObserver { outcome(outcome: ProofOfWorkOutcome): void; raised(): void }
const ignore: ProofOfWorkObserver = { outcome: () => undefined, raised: () => undefined };

export function createProofOfWork(redis: RedisClient, settings: ProofOfWorkSettings, clock: () => number = Date.now, observe: ProofOfWorkObserver = ignore) {
  const s = settings;

  /** The performance's base difficulty, or undefined when it has no waiting room. */
  async function baseMaxNumber(performanceId: string): Promise<number | undefined> {
    const [capacity, own] = await redis.hmget(queueKeys(performanceId).config, 'capacity', POW_FIELD);
    if (capacity === null) return undefined;
    return own === null || own === undefined ? s.defaultMaxNumber : Number(own);
  }

  /** Recent entry attempts from the caller's /24 or /64, this one counted. */
  async function countRange(clientIp: string): Promise<number> {
    const now = clock();
    const window = Math.floor(now / s.rangeWindowMs);
    const tag = `tp:{pow:${addressRange(canonicalAddress(clientIp))}}`;
    return runRangeEntries(redis, { current: `${tag}:${window}`, previous: `${tag}:${window - 1}` }, { windowMs: s.rangeWindowMs, elapsedMs: now - window * s.rangeWindowMs });
  }

  async function check(performanceId: string, userId: string, solution: ProofOfWorkSolution | undefined): Promise<'ACCEPTED' | 'OFF'> {
    if (!solution) {
      if ((await baseMaxNumber(performanceId)) === 0) return 'OFF';
      throw new ForbiddenError('PROOF_OF_WORK_REQUIRED', 'Entering needs a solved challenge: POST …/challenge, solve it, and send it as proofOfWork');
    }
    // the expiry is checked apart so that an old solution is told EXPIRED, not INVALID
    if (!verifySolutionSync(solution, s.hmacKey)) {
      throw new ForbiddenError('PROOF_OF_WORK_INVALID', 'The proof-of-work was not issued by this waiting room or the number does not solve it');
    }
    const params = extractParams(solution);
    if (params.p !== performanceId || params.u !== userId) {
      throw new ForbiddenError('PROOF_OF_WORK_INVALID', 'The proof-of-work was issued for another account or performance');
    }
    const expiresMs = Number(params.expires) * 1000;
    const leftMs = expiresMs - clock();
    if (!Number.isFinite(expiresMs) || leftMs <= 0) {
      throw new ForbiddenError('PROOF_OF_WORK_EXPIRED', 'The challenge expired before it was sent; get a new one');
    }
    // beside the queue's own keys (one cluster slot per performance); kept a little past the
    // expiry so a clock a second behind on another replica cannot take it as new
    const spent = await redis.set(`${queueKeys(performanceId).config}:pow:${solution.signature}`, '1', 'PX', leftMs + 5000, 'NX');
    if (spent === null) throw new ConflictError('PROOF_OF_WORK_REPLAYED', 'This proof-of-work was already used; get a new challenge');
    return 'ACCEPTED';
  }

  const scaled = (base: number, attempts: number) =>
    Math.min(base * 2 ** Math.min(s.maxDoublings, Math.floor(Math.max(0, attempts - 1) / s.rangeStep)), Number.MAX_SAFE_INTEGER);

  return failFastWithoutRedis(redis, {
    baseMaxNumber,

    /**
     * A challenge for this account and performance. An account the entry would refuse for its
     * unconfirmed address (the entry script decides that too) gets that 403 here, before a fan
     * spends seconds solving a proof that cannot get them in.
     */
    async challenge(performanceId: string, userId: string, clientIp: string, emailVerified = false): Promise<ProofOfWorkChallenge> {
      const [capacity, own, requireVerifiedEmail] = await redis.hmget(queueKeys(performanceId).config, 'capacity', POW_FIELD, 'requireVerifiedEmail');
      if (capacity === null) throw new NotFoundError('QUEUE_NOT_FOUND', 'This performance has no waiting room');
      if (requireVerifiedEmail === '1' && !emailVerified) {
        throw new ForbiddenError('EMAIL_NOT_VERIFIED', 'This sale admits only confirmed e-mail addresses: follow the link in the mail we sent at sign-up (or ask for a new one), then enter again');
      }
      const base = own === null || own === undefined ? s.defaultMaxNumber : Number(own);
      const attempts = await countRange(clientIp);
      const maxnumber = base === 0 ? TRIVIAL_MAX_NUMBER : scaled(base, attempts);
      if (maxnumber > base && base > 0) observe.raised();
      const expires = new Date(Math.floor(clock() / 1000) * 1000 + s.ttlSeconds * 1000);
      const issued = await createChallenge({ hmacKey: s.hmacKey, maxnumber, expires, params: { p: performanceId, u: userId } });
      return {
        required: base > 0,
        algorithm: 'SHA-256',
        challenge: issued.challenge,
        maxnumber,
        salt: issued.salt,
        signature: issued.signature,
        expiresAt: expires.toISOString(),
      };
    },

    /** Throws the entry's 4xx unless the solution is good, unused, and for this account and performance; spends it. */
    async spend(performanceId: string, userId: string, solution: ProofOfWorkSolution | undefined): Promise<void> {
      try {
        observe.outcome(await check(performanceId, userId, solution));
      } catch (error) {
        if (error instanceof AppError && error.code.startsWith('PROOF_OF_WORK_')) observe.outcome(error.code as ProofOfWorkOutcome);
        throw error;
      }
    },
  });
}

export type ProofOfWork = ReturnType<typeof createProofOfWork>;
