import { KeyObject, verify as verifySignature } from 'node:crypto';
import type { CompactJWSHeaderParameters, JWTVerifyGetKey } from 'jose';
import { TokenError, type VerifiedToken } from './token-error.ts';

export interface Expected {
  issuer: string;
  audience?: string | undefined;
  subject?: string | undefined;
  /** Claims that must be present besides `sub` and `exp`. */
  requiredClaims: readonly string[];
  clockToleranceSeconds: number;
}

const BASE64URL = /^[\w-]+$/;
const invalid = (message = 'The token is not valid') => new TokenError('TOKEN_INVALID', message);
const keyObjects = new WeakMap<object, KeyObject>();

/** Ed25519 on libuv's thread pool: the event loop goes on serving while a signature is checked. */
function signatureHolds(data: Buffer, key: KeyObject, signature: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    verifySignature(null, data, key, signature, (error, holds) => resolve(!error && holds));
  });
}

function decodeJson(part: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid();
  return value as Record<string, unknown>;
}

/** The public Ed25519 key as a node:crypto KeyObject, converted once per key the lookup returns. */
function ed25519(key: unknown): KeyObject {
  let object = key instanceof KeyObject ? key : keyObjects.get(key as object);
  if (!object && key instanceof CryptoKey) keyObjects.set(key, (object = KeyObject.from(key)));
  if (!object || object.type !== 'public' || object.asymmetricKeyType !== 'ed25519') throw invalid();
  return object;
}

/**
 * Verifies a compact JWS JWT signed with EdDSA (Ed25519), and its claims. The key comes from a
 * jose JWKS lookup (local or remote, by `kid`); the signature is checked with node:crypto on the
 * thread pool, which takes about 60 % of the CPU of WebCrypto's (jose's `jwtVerify`) and leaves
 * the event loop free meanwhile: a fan's first request to the gateway is mostly this check. Only EdDSA is accepted, no
 * critical header extensions, and the parts must be strict base64url.
 *
 * Token faults are TokenErrors; errors of the key lookup (JWKS unreachable, no matching key) are
 * jose's own, for the caller to tell "bad token" from "our outage".
 */
export async function verifyEdDsaToken(token: string, getKey: JWTVerifyGetKey, expected: Expected): Promise<VerifiedToken> {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) throw invalid();
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
  const header = decodeJson(encodedHeader);
  if (header.alg !== 'EdDSA' || header.crit !== undefined) throw invalid();
  const key = ed25519(await getKey(header as CompactJWSHeaderParameters, { payload: encodedPayload, signature: encodedSignature, protected: encodedHeader }));
  const signature = Buffer.from(encodedSignature, 'base64url');
  if (signature.length !== 64 || !(await signatureHolds(Buffer.from(`${encodedHeader}.${encodedPayload}`, 'ascii'), key, signature))) throw invalid();
  return checkClaims(decodeJson(encodedPayload), expected);
}

function checkClaims(payload: Record<string, unknown>, expected: Expected): VerifiedToken {
  const now = Date.now() / 1000;
  const { exp, nbf, iat, sub, aud } = payload;
  for (const claim of ['sub', 'exp', ...expected.requiredClaims]) if (payload[claim] === undefined) throw invalid();
  if (typeof sub !== 'string' || typeof exp !== 'number' || !Number.isFinite(exp)) throw invalid();
  if ((nbf !== undefined && typeof nbf !== 'number') || (iat !== undefined && typeof iat !== 'number')) throw invalid();
  if (payload.iss !== expected.issuer) throw invalid();
  if (typeof nbf === 'number' && nbf > now + expected.clockToleranceSeconds) throw invalid('The token is not valid yet');
  if (exp <= now - expected.clockToleranceSeconds) throw new TokenError('TOKEN_EXPIRED', 'The token has expired');
  if (expected.audience !== undefined && !(aud === expected.audience || (Array.isArray(aud) && aud.includes(expected.audience)))) {
    throw new TokenError('TOKEN_WRONG_AUDIENCE', 'The token is for another audience');
  }
  if (expected.subject !== undefined && sub !== expected.subject) throw invalid('The token belongs to someone else');
  return payload as VerifiedToken;
}
