import { TokenError, TokenKeysUnavailableError, createVerifier, type TokenVerifier } from '@ticketping/auth-tokens';
import { ForbiddenError, ServiceUnavailableError } from '@ticketping/http';

/**
 * The waiting room admits a fan with a signed token (aud = performance, sub = fan). The gateway
 * checks it too, but booking checks again: the performance is derived here from the schedule the
 * fan is buying, so a token for a quiet performance never buys seats of a busy one.
 */
export interface AdmissionCheck {
  verify(token: string | undefined, performanceId: string, userId: string): Promise<void>;
}

const REASONS: Record<TokenError['reason'], string> = {
  TOKEN_EXPIRED: 'Your admission has expired; rejoin the waiting room',
  TOKEN_WRONG_AUDIENCE: 'This admission token is for another performance',
  TOKEN_INVALID: 'The admission token is not valid for you',
};

export const queueTokenRequired = () => new ForbiddenError('QUEUE_TOKEN_REQUIRED', 'Booking needs the X-Queue-Token the waiting room gave you');

export function createAdmissionCheck(verifier: TokenVerifier): AdmissionCheck {
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
    },
  };
}

/** A JWKS given inline wins over the URL (tests, standalone); otherwise the queue's endpoint. */
export function queueTokenVerifier(config: { QUEUE_TOKEN_ISSUER: string; QUEUE_JWKS?: string | undefined; QUEUE_JWKS_URL: string }): TokenVerifier {
  const jwks = config.QUEUE_JWKS ? JSON.parse(config.QUEUE_JWKS) : new URL(config.QUEUE_JWKS_URL);
  return createVerifier(config.QUEUE_TOKEN_ISSUER, jwks);
}
