import { createHmac } from 'node:crypto';
import { extractParams } from 'altcha-lib/v1';
import type { ProofOfWorkSolution } from '@ticketping/contracts/http';
import { ConflictError, ForbiddenError } from '@ticketping/http';
import { queueKeys, type RedisClient } from '@ticketping/redis';
import { verifySolutionSync } from './verify.ts';

export { verifySolutionSync } from './verify.ts';

/**
 * The waiting room's proof-of-work (ALTCHA v1: find n with SHA-256(salt + n) = challenge), as
 * every door that asks for one checks it: the queue's entry and booking's waitlist join. The queue
 * issues the challenges (services/queue/src/proof-of-work); this is the other half, shared so that
 * both doors spend a solution under the same mark and one solution buys one entry or one join.
 *
 * A challenge is bound to the account, the performance and an expiry through the salt's signed
 * parameters (`p`, `u`, `expires`): the HMAC covers SHA-256(salt + n), so none of them can be
 * changed without the signature failing. Single use: the first door to take a solution marks its
 * signature spent in Redis (SET NX, until the challenge would have expired anyway).
 */

/** The waiting room's config hash field holding a performance's own difficulty (absent: the default). */
export const POW_FIELD = 'proofOfWorkMaxNumber';

/** A secret every replica shares without a new setting: the internal token, through HMAC with a label of its own. */
export function derivedHmacKey(internalToken: string): string {
  return createHmac('sha256', internalToken).update('ticketping queue proof-of-work v1').digest('hex');
}

export interface ProofOfWorkCheckSettings {
  hmacKey: string;
  /** The base difficulty of a performance that has none of its own; 0 = off. */
  defaultMaxNumber: number;
}

/** A performance's base difficulty from its config hash field (`POW_FIELD`): its own, else the default. */
export const baseDifficulty = (own: string | null | undefined, defaultMaxNumber: number): number =>
  own === null || own === undefined ? defaultMaxNumber : Number(own);

export function createProofOfWorkCheck(redis: RedisClient, settings: ProofOfWorkCheckSettings, clock: () => number = Date.now) {
  /** The performance's base difficulty, or undefined when it has no waiting room. */
  async function baseMaxNumber(performanceId: string): Promise<number | undefined> {
    const [capacity, own] = await redis.hmget(queueKeys(performanceId).config, 'capacity', POW_FIELD);
    return capacity === null ? undefined : baseDifficulty(own, settings.defaultMaxNumber);
  }

  /** Throws the door's 4xx unless the solution is good, unused, and for this account and performance; spends it. */
  async function spend(performanceId: string, userId: string, solution: ProofOfWorkSolution | undefined): Promise<'ACCEPTED' | 'OFF'> {
    if (!solution) {
      if ((await baseMaxNumber(performanceId)) === 0) return 'OFF';
      throw new ForbiddenError('PROOF_OF_WORK_REQUIRED', 'Entering needs a solved challenge: POST …/challenge, solve it, and send it as proofOfWork');
    }
    // the expiry is checked apart so that an old solution is told EXPIRED, not INVALID
    if (!verifySolutionSync(solution, settings.hmacKey)) {
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

  return { baseMaxNumber, spend };
}
