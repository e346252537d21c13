import { IDENTITY_HEADERS } from '@ticketping/http';
import type { VerifiedToken } from '@ticketping/auth-tokens';
import type { EdgeSettings } from '../settings.ts';
import { cacheVerified, createJwksVerifier } from './jwks-verifier.ts';

/** Auth's access tokens, checked against its key set and remembered until they expire. */
export function createAccessTokenCheck(config: EdgeSettings): (token: string) => Promise<VerifiedToken> {
  const accessTokens = createJwksVerifier({
    issuer: config.AUTH_ISSUER,
    jwks: config.AUTH_JWKS ?? new URL(config.AUTH_JWKS_URL ?? `${config.AUTH_URL}/.well-known/jwks.json`),
    fetchHeaders: { [IDENTITY_HEADERS.internalToken]: config.INTERNAL_TOKEN },
  });
  return cacheVerified((token) => accessTokens.verify(token, { audience: config.ACCESS_TOKEN_AUDIENCE }));
}
