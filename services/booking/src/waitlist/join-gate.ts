import type { ProofOfWorkSolution } from '@ticketping/contracts/http';
import { ForbiddenError, type Caller } from '@ticketping/http';
import { createProofOfWorkCheck, derivedHmacKey } from '@ticketping/proof-of-work';
import { queueKeys, type RedisClient } from '@ticketping/redis';

/**
 * The waiting room's fairness rules at the waitlist's door, where they make sense: a sale for
 * confirmed addresses only takes confirmed ones on its waitlist too, and a join costs a
 * proof-of-work like an entry. The rules are the performance's waiting room's, read where the
 * queue keeps them (its config hash in the waiting room's Redis, which booking reads for
 * admission slots already): one source, so the admin's difficulty PATCH and the catalog's
 * requireVerifiedEmail reach both doors at once. The proof is a challenge of
 * `POST /api/v1/queues/{performanceId}/challenge`, verified and spent by the check the queue's
 * entry uses, under the same spent mark: one solution buys one entry or one join, not both.
 *
 * The caps per address and range are the gateway's (the join route is capped as `entry`).
 */
export type JoinGate = (who: Caller, performanceId: string, proofOfWork: ProofOfWorkSolution | undefined) => Promise<void>;

export function createJoinGate(redis: RedisClient, settings: { internalToken: string; hmacKey?: string | undefined }): JoinGate {
  const proofOfWork = createProofOfWorkCheck(redis, {
    hmacKey: settings.hmacKey ?? derivedHmacKey(settings.internalToken),
    // Only "on or off" matters here: booking issues no challenges. A performance without a
    // difficulty of its own needs a proof; the queue's QUEUE_POW_MAX_NUMBER=0 gives trivial
    // challenges (solved in one try), which clients of the waitlist always solve and send.
    defaultMaxNumber: 1,
  });

  return async (who, performanceId, solution) => {
    const [capacity, requireVerifiedEmail] = await redis.hmget(queueKeys(performanceId).config, 'capacity', 'requireVerifiedEmail');
    if (requireVerifiedEmail === '1' && who.emailVerified !== true) {
      throw new ForbiddenError('EMAIL_NOT_VERIFIED', 'This sale admits only confirmed e-mail addresses, on its waitlist too: follow the link in the mail we sent at sign-up (or ask for a new one), then join again');
    }
    // No waiting room (never made, or gone a day after the sale closed): no challenge can be
    // had for it, so none is asked for.
    if (capacity === null) return;
    await proofOfWork.spend(performanceId, who.id, solution);
  };
}
