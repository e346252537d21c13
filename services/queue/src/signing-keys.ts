import type { JSONWebKeySet } from 'jose';
import { createSigner, generateSigningKey, parsePrivateKeys, publicJwks, type TokenSigner } from '@ticketping/auth-tokens';
import type { Logger } from '@ticketping/logger';

export interface SigningKeys {
  /** Signs admission tokens with the first configured key. */
  signer: TokenSigner;
  /** The public half of every configured key (GET /.well-known/jwks.json). */
  jwks: JSONWebKeySet;
}

/**
 * Keys from `QUEUE_SIGNING_KEY` (one private JWK or an array, the first signs). Without it a key
 * is generated: fine for one standalone process, not for replicas or restarts (their tokens would
 * not verify against each other's JWKS), hence the warning.
 */
export async function loadSigningKeys(configured: string | undefined, issuer: string, logger: Logger): Promise<SigningKeys> {
  let keys = configured ? parsePrivateKeys(configured) : [];
  if (keys.length === 0) {
    logger.warn('QUEUE_SIGNING_KEY is not set: generated a signing key; admission tokens will not survive a restart and replicas will not agree');
    keys = [await generateSigningKey()];
  }
  const [current] = keys;
  if (!current) throw new Error('no signing key');
  return { signer: await createSigner(issuer, current), jwks: publicJwks(keys) };
}
