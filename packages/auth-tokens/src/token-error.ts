import type { JWTPayload } from 'jose';

export type TokenFailure = 'TOKEN_EXPIRED' | 'TOKEN_INVALID' | 'TOKEN_WRONG_AUDIENCE';

export class TokenError extends Error {
  readonly reason: TokenFailure;
  constructor(reason: TokenFailure, message: string) {
    super(message);
    this.name = 'TokenError';
    this.reason = reason;
  }
}

/**
 * The key set could not be fetched (unreachable, too slow, or junk): our outage, not a bad token,
 * so callers answer 503 and the client retries, instead of telling a fan a good token is invalid.
 */
export class TokenKeysUnavailableError extends Error {
  constructor(cause: unknown) {
    super('Token keys cannot be fetched right now', { cause });
    this.name = 'TokenKeysUnavailableError';
  }
}

export interface VerifiedToken extends JWTPayload { sub: string; jti: string; exp: number }
