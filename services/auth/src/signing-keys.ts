import type { JSONWebKeySet } from 'jose';
import { createSigner, generateSigningKey, parsePrivateKeys, publicJwks, type TokenSigner } from '@ticketping/auth-tokens';
import type { Logger } from '@ticketping/logger';

export interface SigningKeys {
  /** Signs with the first configured key. */
  signer: TokenSigner;
  /** The public half of every configured key: old keys stay here until their tokens expire. */
  jwks: JSONWebKeySet;
}

/**
 * Keys from `AUTH_SIGNING_KEY` (one private JWK or an array, first signs). Without it a key is
 * generated, which is fine for one standalone process but not for replicas or restarts: every
 * access token dies with the process, hence the warning.
 */
export async function loadSigningKeys(configured: string | undefined, issuer: string, logger: Logger): Promise<SigningKeys> {
  let keys = configured ? parsePrivateKeys(configured) : [];
  if (keys.length === 0) {
    logger.warn('AUTH_SIGNING_KEY is not set: generated a signing key; access tokens will not survive a restart and replicas will not agree');
    keys = [await generateSigningKey()];
  }
  const [current] = keys;
  if (!current) throw new Error('no signing key');
  return { signer: await createSigner(issuer, current), jwks: publicJwks(keys) };
}
