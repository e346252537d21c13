import { TokenError, TokenKeysUnavailableError, createVerifier, type TokenVerifier } from '@ticketping/auth-tokens';
import { ForbiddenError, ServiceUnavailableError } from '@ticketping/http';
import { queueKeys, type RedisClient } from '@ticketping/redis';

/**
 * The waiting room admits a fan with a signed token (aud = performance, sub = fan). The gateway
 * checks it too, but booking checks again: the performance is derived here from the schedule the
 * fan is buying, so a token for a quiet performance never buys seats of a busy one.
 *
 * A token is a bearer token that outlives its slot (it is verified locally, until its `exp`). So an
 * order also needs the slot itself: the fan must hold a live place in the performance's active set
 * right now (see AdmissionSlots). Leaving the room, a confirmed or cancelled order and the end of
 * the window all free the slot, and with it the token's power to create orders.
 */
export interface AdmissionCheck {
  verify(token: string | undefined, performanceId: string, userId: string): Promise<void>;
}

/** Whether a fan holds a live admission slot for a performance now. */
export interface AdmissionSlots {
  isLive(performanceId: string, userId: string): Promise<boolean>;
}

const REASONS: Record<TokenError['reason'], string> = {
  TOKEN_EXPIRED: 'Your admission has expired; rejoin the waiting room',
  TOKEN_WRONG_AUDIENCE: 'This admission token is for another performance',
  TOKEN_INVALID: 'The admission token is not valid for you',
};

export const queueTokenRequired = () => new ForbiddenError('QUEUE_TOKEN_REQUIRED', 'Booking needs the X-Queue-Token the waiting room gave you');

const admissionEnded = () => new ForbiddenError('QUEUE_TOKEN_INVALID', 'Your admission has ended (you left the waiting room, finished an order, or your time ran out); rejoin the waiting room', { extra: { reason: 'ADMISSION_ENDED' } });

export function createAdmissionCheck(verifier: TokenVerifier, slots?: AdmissionSlots): AdmissionCheck {
  return {
    async verify(token, performanceId, userId) {
      if (!token) throw queueTokenRequired();
      try {
        await verifier.verify(token, { audience: performanceId, subject: userId });
      } catch (error) {
        if (error instanceof TokenError) throw new ForbiddenError('QUEUE_TOKEN_INVALID', REASONS[error.reason], { extra: { reason: error.reason } });
        // the queue's keys are out of reach: our outage, so a good token is not called invalid
        if (error instanceof TokenKeysUnavailableError) throw new ServiceUnavailableError('TOKEN_KEYS_UNAVAILABLE', 'The waiting room\'s keys cannot be fetched right now; try again shortly', 2);
        throw error;
      }
      if (slots && !(await slots.isLive(performanceId, userId))) throw admissionEnded();
    },
  };
}

/**
 * The live slot, read where the waiting room keeps it: one ZSCORE of the performance's active set
 * (`packages/redis/src/queue-keys.ts`, the queue's documented contract with its readers), scored by
 * the end of the fan's window. An order is rare next to a poll, so one read per order is cheap.
 *
 * Redis is the one authority on slots, on purpose: after a wipe the active set is empty, and after a
 * restore to an older snapshot it holds only the fans it held then, who count against capacity in
 * the restored state. Either way a token from before the loss creates an order only for a fan who
 * holds a slot again, so the fans who can create orders never outnumber the capacity.
 * Redis out of reach: 503 with Retry-After (fail closed; a seat is never sold past the line).
 */
const admissionUnchecked = () => new ServiceUnavailableError('ADMISSION_CHECK_UNAVAILABLE', 'Your admission cannot be checked right now; try again shortly', 2);

export function liveSlotsIn(redis: RedisClient, now: () => number = Date.now): AdmissionSlots {
  return {
    async isLive(performanceId, userId) {
      // known to be disconnected: answer at once rather than wait out the client's reconnection attempts
      if (redis.status === 'reconnecting' || redis.status === 'close' || redis.status === 'end') throw admissionUnchecked();
      let windowEnd: string | null;
      try {
        windowEnd = await redis.zscore(queueKeys(performanceId).active, userId);
      } catch {
        throw admissionUnchecked();
      }
      return windowEnd !== null && Number(windowEnd) > now();
    },
  };
}

/** A JWKS given inline wins over the URL (tests, standalone); otherwise the queue's endpoint. */
export function queueTokenVerifier(config: { QUEUE_TOKEN_ISSUER: string; QUEUE_JWKS?: string | undefined; QUEUE_JWKS_URL: string }): TokenVerifier {
  const jwks = config.QUEUE_JWKS ? JSON.parse(config.QUEUE_JWKS) : new URL(config.QUEUE_JWKS_URL);
  return createVerifier(config.QUEUE_TOKEN_ISSUER, jwks);
}
