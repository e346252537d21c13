import { createChallenge } from 'altcha-lib/v1';
import type { ProofOfWorkChallenge, ProofOfWorkSolution } from '@ticketping/contracts/http';
import { addressRange, AppError, canonicalAddress, ForbiddenError, NotFoundError } from '@ticketping/http';
import { baseDifficulty, createProofOfWorkCheck, POW_FIELD, type ProofOfWorkCheckSettings } from '@ticketping/proof-of-work';
import { queueKeys, type RedisClient } from '@ticketping/redis';
import { runRangeEntries } from '../redis/queue-scripts.ts';
import { failFastWithoutRedis } from '../redis/queue-store.ts';

/**
 * Proof-of-work at entry: the challenges (ALTCHA v1: find n with SHA-256(salt + n) = challenge),
 * their difficulty rising with the entries from one address range, and the entry's spend, checked
 * by @ticketping/proof-of-work (shared with booking's waitlist join). v1 rather than
 * the library's default v2 on purpose: v2 derives a key (PBKDF2, scrypt, Argon2) and the server
 * pays one derivation per verification, which an entry path aiming at thousands of entries a
 * second cannot afford; v1 costs the server one SHA-256 and one HMAC. The library issues the
 * challenges and reads their parameters; what binds a challenge to the account, the performance
 * and its expiry, and what makes it single use, is told in @ticketping/proof-of-work.
 */
export interface ProofOfWorkSettings extends ProofOfWorkCheckSettings {
  ttlSeconds: number;
  /** Entry attempts per range per window that double the difficulty once (2 × this: twice, …). */
  rangeStep: number;
  rangeWindowMs: number;
  maxDoublings: number;
}

/** When proof-of-work is off, a challenge is still issued (clients that always solve keep working), solved in one try. */
const TRIVIAL_MAX_NUMBER = 1;

/** What became of a proof: accepted, not needed (off), or the refusal's code; and challenges issued above the base difficulty. */
export type ProofOfWorkOutcome = 'ACCEPTED' | 'OFF' | 'PROOF_OF_WORK_REQUIRED' | 'PROOF_OF_WORK_INVALID' | 'PROOF_OF_WORK_EXPIRED' | 'PROOF_OF_WORK_REPLAYED';
export interface ProofOfWorkObserver { outcome(outcome: ProofOfWorkOutcome): void; raised(): void }
const ignore: ProofOfWorkObserver = { outcome: () => undefined, raised: () => undefined };

export function createProofOfWork(redis: RedisClient, settings: ProofOfWorkSettings, clock: () => number = Date.now, observe: ProofOfWorkObserver = ignore) {
  const s = settings;

  const proof = createProofOfWorkCheck(redis, s, clock);

  /** Recent entry attempts from the caller's /24 or /64, this one counted. */
  async function countRange(clientIp: string): Promise<number> {
    const now = clock();
    const window = Math.floor(now / s.rangeWindowMs);
    const tag = `tp:{pow:${addressRange(canonicalAddress(clientIp))}}`;
    return runRangeEntries(redis, { current: `${tag}:${window}`, previous: `${tag}:${window - 1}` }, { windowMs: s.rangeWindowMs, elapsedMs: now - window * s.rangeWindowMs });
  }

  const scaled = (base: number, attempts: number) =>
    Math.min(base * 2 ** Math.min(s.maxDoublings, Math.floor(Math.max(0, attempts - 1) / s.rangeStep)), Number.MAX_SAFE_INTEGER);

  return failFastWithoutRedis(redis, {
    baseMaxNumber: proof.baseMaxNumber,

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
      const base = baseDifficulty(own, s.defaultMaxNumber);
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
        observe.outcome(await proof.spend(performanceId, userId, solution));
      } catch (error) {
        if (error instanceof AppError && error.code.startsWith('PROOF_OF_WORK_')) observe.outcome(error.code as ProofOfWorkOutcome);
        throw error;
      }
    },
  });
}

export type ProofOfWork = ReturnType<typeof createProofOfWork>;
