import type { JSONWebKeySet } from 'jose';
import { TokenKeysUnavailableError, createVerifier, type TokenVerifier, type VerifiedToken } from '@ticketping/auth-tokens';
import { ServiceUnavailableError } from '@ticketping/http';

export interface JwksVerifierOptions {
  issuer: string;
  /** A fixed key set, or the URL of one (fetched, cached, refetched on an unknown `kid` at most every 30 s). */
  jwks: JSONWebKeySet | URL;
  /** Sent when fetching the key set (the internal token, in case the issuer guards its JWKS route). */
  fetchHeaders?: Record<string, string>;
}

/**
 * @ticketping/auth-tokens' verifier, answering 503 (not 401) when the key set cannot be fetched:
 * that is our outage, not the caller's fault.
 */
export function createJwksVerifier(options: JwksVerifierOptions): TokenVerifier {
  const verifier = createVerifier(options.issuer, options.jwks, { fetchHeaders: options.fetchHeaders, requiredClaims: [] });
  return {
    async verify(token, expected) {
      try {
        return await verifier.verify(token, expected);
      } catch (error) {
        if (error instanceof TokenKeysUnavailableError) throw new ServiceUnavailableError('TOKEN_KEYS_UNAVAILABLE', 'Token keys cannot be fetched right now; try again shortly', 2);
        throw error;
      }
    },
  };
}

/**
 * Remembers tokens whose signature already verified, until they expire, so a fan polling every
 * second costs one map lookup instead of one Ed25519 verification. Bounded: the oldest entries go
 * first; sized for a 100,000-fan line (about 100 MB at most). Only for checks with fixed
 * expectations (access tokens: issuer and audience never vary).
 */
export function cacheVerified(verify: (token: string) => Promise<VerifiedToken>, maxEntries = 200_000) {
  const verified = new Map<string, VerifiedToken>();
  return async (token: string): Promise<VerifiedToken> => {
    const hit = verified.get(token);
    if (hit && hit.exp * 1000 > Date.now()) return hit;
    verified.delete(token);
    const payload = await verify(token);
    if (verified.size >= maxEntries) verified.delete(verified.keys().next().value as string);
    verified.set(token, payload);
    return payload;
  };
}
