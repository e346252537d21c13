import { randomBytes } from 'node:crypto';
import { generateSigningKey, parsePrivateKeys, publicJwks, type PrivateJwk } from '@ticketping/auth-tokens';
import type { Knex } from '@ticketping/db';
import type { CodeSigner } from './codes.ts';

export interface TicketKeys {
  /** Signs with the current (first) key. */
  signer: CodeSigner;
  /** Every key's public half: previous keys stay published so printed tickets keep verifying. */
  jwks: ReturnType<typeof publicJwks>;
}

async function signerFor(key: PrivateJwk): Promise<CodeSigner> {
  const { kty, crv, x, d } = key;
  const privateKey = await crypto.subtle.importKey('jwk', { kty, crv, x, d }, { name: 'Ed25519' }, false, ['sign']);
  return { kid: key.kid, sign: async (data) => new Uint8Array(await crypto.subtle.sign('Ed25519', privateKey, data as Uint8Array<ArrayBuffer>)) };
}

/**
 * Keys from TICKET_SIGNING_KEYS (a private Ed25519 JWK or an array, the first signs; rotate by
 * putting a new key first and keeping the old ones after it). Unset, a key is generated once and
 * kept in the service's own table: unlike an access token a ticket lives for months, so a key that
 * changed at each restart would void every ticket already printed. Replicas starting together
 * agree on the first key inserted.
 */
export async function loadTicketKeys(db: Knex, configured: string | undefined): Promise<TicketKeys> {
  let keys = configured ? parsePrivateKeys(configured) : [];
  if (keys.length === 0) {
    // Short kids keep the QR small (the kid is in every code).
    await db('signing_keys').insert({ kid: randomBytes(6).toString('base64url'), private_jwk: await generateSigningKey() }).onConflict('singleton').ignore();
    const row = (await db('signing_keys').first('kid', 'private_jwk')) as { kid: string; private_jwk: PrivateJwk };
    keys = [{ ...row.private_jwk, kid: row.kid }];
  }
  const [current] = keys;
  if (!current) throw new Error('no ticket signing key');
  return { signer: await signerFor(current), jwks: publicJwks(keys) };
}
