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

export interface VerifiedToken extends JWTPayload { sub: string; jti: string; exp: number }
