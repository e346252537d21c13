import { randomUUID } from 'node:crypto';
import {
  SignJWT, createLocalJWKSet, createRemoteJWKSet, errors, exportJWK, generateKeyPair, importJWK,
  type JSONWebKeySet, type JWK, type JWTVerifyGetKey,
} from 'jose';
import { TokenError, TokenKeysUnavailableError, type VerifiedToken } from './token-error.ts';
import { verifyEdDsaToken } from './verify.ts';

export { TokenError, TokenKeysUnavailableError, type TokenFailure, type VerifiedToken } from './token-error.ts';
export { verifyEdDsaToken, type Expected } from './verify.ts';

/**
 * Asymmetric tokens for two uses: access tokens (signed by auth) and admission tokens (signed by
 * the queue). Signers hold private JWKs; everyone else verifies locally against a public JWKS, so
 * the gateway never calls the issuer per request. Keys carry a `kid`, so a new key can be
 * published next to the old one and rotate in without downtime.
 */
export const ALGORITHM = 'EdDSA';

export type PrivateJwk = JWK & { kid: string; d: string };

export async function generateSigningKey(kid: string = randomUUID()): Promise<PrivateJwk> {
  const { privateKey } = await generateKeyPair(ALGORITHM, { crv: 'Ed25519', extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: ALGORITHM, use: 'sig' } as PrivateJwk;
}

/** The public half of each key, safe to publish. */
export function publicJwks(keys: PrivateJwk[]): JSONWebKeySet {
  return { keys: keys.map(({ d: _private, ...pub }) => ({ ...pub, alg: ALGORITHM, use: 'sig' })) };
}

export interface SignOptions {
  subject: string;
  audience: string;
  expiresInSeconds: number;
  claims?: Record<string, unknown>;
}

export interface TokenSigner {
  kid: string;
  sign(options: SignOptions): Promise<{ token: string; jti: string; expiresAt: Date }>;
}

/** Signs with the first key (the current one); keep older keys published until their tokens expire. */
export async function createSigner(issuer: string, key: PrivateJwk): Promise<TokenSigner> {
  const privateKey = await importJWK(key, ALGORITHM);
  return {
    kid: key.kid,
    async sign({ subject, audience, expiresInSeconds, claims = {} }) {
      const jti = randomUUID();
      const now = Math.floor(Date.now() / 1000);
      const exp = now + expiresInSeconds;
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: ALGORITHM, kid: key.kid, typ: 'JWT' })
        .setIssuer(issuer).setSubject(subject).setAudience(audience).setJti(jti).setIssuedAt(now).setExpirationTime(exp)
        .sign(privateKey);
      return { token, jti, expiresAt: new Date(exp * 1000) };
    },
  };
}

export interface TokenVerifier {
  verify(token: string, expected?: { audience?: string; subject?: string }): Promise<VerifiedToken>;
}

export interface VerifierOptions {
  clockToleranceSeconds?: number;
  /** Sent when fetching a key set by URL (the internal token, in case the issuer guards its JWKS route). */
  fetchHeaders?: Record<string, string>;
  /** Claims a token must carry besides `sub` and `exp` (default: `jti`). */
  requiredClaims?: readonly string[];
}

/**
 * Verifies locally: signature against the JWKS (a fixed set, or a URL fetched and cached, refetched
 * on an unknown `kid` at most every 30 s), issuer, expiry, and optionally audience and subject.
 * Only EdDSA is accepted, so `alg: none` and algorithm-confusion tokens fail. A bad token throws
 * TokenError; a key set that cannot be fetched throws TokenKeysUnavailableError.
 */
export function createVerifier(issuer: string, jwks: JSONWebKeySet | URL, options: VerifierOptions = {}): TokenVerifier {
  const keys: JWTVerifyGetKey = jwks instanceof URL
    ? createRemoteJWKSet(jwks, { headers: options.fetchHeaders ?? {}, timeoutDuration: 2000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 })
    : createLocalJWKSet(jwks);
  const requiredClaims = options.requiredClaims ?? ['jti'];
  return {
    async verify(token, expected = {}) {
      try {
        return await verifyEdDsaToken(token, keys, { issuer, ...expected, requiredClaims, clockToleranceSeconds: options.clockToleranceSeconds ?? 5 });
      } catch (error) {
        if (error instanceof TokenError) throw error;
        // The token names a key the set does not hold (a fixed set can fail no other way)...
        if (!(jwks instanceof URL) || error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
          throw new TokenError('TOKEN_INVALID', 'The token is not valid');
        }
        // ...or fetching the set failed: unreachable, too slow, an error status, junk.
        throw new TokenKeysUnavailableError(error);
      }
    },
  };
}

/** Parses a JSON private JWK (or an array of them; the first signs) from configuration. */
export function parsePrivateKeys(json: string): PrivateJwk[] {
  const parsed = JSON.parse(json) as PrivateJwk | PrivateJwk[];
  const keys = Array.isArray(parsed) ? parsed : [parsed];
  for (const key of keys) if (!key.kid || !key.d || key.kty !== 'OKP') throw new Error('signing keys must be Ed25519 private JWKs with a kid');
  return keys;
}

export interface SigningKeys {
  /** Signs with the first configured key. */
  signer: TokenSigner;
  /** The public half of every configured key: old keys stay published until their tokens expire. */
  jwks: JSONWebKeySet;
}

/**
 * Keys from a setting holding one private JWK or an array (the first signs). Without it a key is
 * generated: fine for one standalone process, not for replicas or restarts (their tokens would
 * not verify against each other's JWKS), hence the warning.
 */
export async function loadSigningKeys(
  configured: string | undefined,
  issuer: string,
  { setting, logger }: { setting: string; logger: { warn(message: string): void } },
): Promise<SigningKeys> {
  let keys = configured ? parsePrivateKeys(configured) : [];
  if (keys.length === 0) {
    logger.warn(`${setting} is not set: generated a signing key; tokens will not survive a restart and replicas will not agree`);
    keys = [await generateSigningKey()];
  }
  const [current] = keys;
  if (!current) throw new Error('no signing key');
  return { signer: await createSigner(issuer, current), jwks: publicJwks(keys) };
}
