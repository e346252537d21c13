/** Tokens an attacker could bring: forged, expired, unsigned, or real but for something else. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createSigner, generateSigningKey, type PrivateJwk } from '@ticketping/auth-tokens';

const ACCESS_ISSUER = 'ticketping-auth';
const ACCESS_AUDIENCE = 'ticketping-api';

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The platform's own access-token key, read from the standalone data dir (what a leaked key would allow). */
function realAuthKey(dataDir: string): PrivateJwk {
  return (JSON.parse(readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')) as { authKey: PrivateJwk }).authKey;
}

export interface HostileTokens {
  /** Signed by the real key, expired an hour ago. */
  expired: string;
  /** Signed by a key the platform never published, claiming ADMIN. */
  forgedAdmin: string;
  /** Same kid as the real key, different key material. */
  forgedSameKid: string;
  /** `alg: none`, no signature. */
  unsigned: string;
  /** Real key, wrong audience. */
  wrongAudience: string;
  /** A real token whose payload was edited to claim ADMIN (signature no longer matches). */
  tampered: (realToken: string) => string;
}

export async function hostileTokens(dataDir: string, subject: string): Promise<HostileTokens> {
  const real = realAuthKey(dataDir);
  const realSigner = await createSigner(ACCESS_ISSUER, real);
  const stranger = await createSigner(ACCESS_ISSUER, await generateSigningKey());
  const sameKid = await createSigner(ACCESS_ISSUER, await generateSigningKey(real.kid));
  const claims = { role: 'ADMIN' };
  const now = Math.floor(Date.now() / 1000);
  return {
    expired: (await realSigner.sign({ subject, audience: ACCESS_AUDIENCE, expiresInSeconds: -3600, claims: { role: 'USER' } })).token,
    forgedAdmin: (await stranger.sign({ subject, audience: ACCESS_AUDIENCE, expiresInSeconds: 600, claims })).token,
    forgedSameKid: (await sameKid.sign({ subject, audience: ACCESS_AUDIENCE, expiresInSeconds: 600, claims })).token,
    unsigned: `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ iss: ACCESS_ISSUER, aud: ACCESS_AUDIENCE, sub: subject, role: 'ADMIN', jti: 'x', iat: now, exp: now + 600 })}.`,
    wrongAudience: (await realSigner.sign({ subject, audience: 'ticketping-admin', expiresInSeconds: 600, claims: { role: 'USER' } })).token,
    tampered(realToken) {
      const [header, payload, signature] = realToken.split('.');
      const edited = { ...(JSON.parse(Buffer.from(payload!, 'base64url').toString()) as object), role: 'ADMIN' };
      return `${header}.${base64url(edited)}.${signature}`;
    },
  };
}
