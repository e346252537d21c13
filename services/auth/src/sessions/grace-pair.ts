import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Seals the token pair a refresh issued, so a retry of that refresh (same refresh token, response
 * lost) can be answered with the same pair. The key is derived from the refresh token that was
 * presented, which is never stored (only its SHA-256 is): the sealed pair is useless to anyone
 * who only has the database.
 */
const SALT = 'ticketping-auth-refresh-grace';

const keyFor = (refreshToken: string) => Buffer.from(hkdfSync('sha256', refreshToken, SALT, 'token-pair', 32));

export function sealPair<T>(pair: T, refreshToken: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(refreshToken), iv);
  const sealed = Buffer.concat([cipher.update(JSON.stringify(pair), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

/** The pair, or undefined when it was not sealed with this refresh token (or was tampered with). */
export function openPair<T>(sealed: string, refreshToken: string): T | undefined {
  try {
    const bytes = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', keyFor(refreshToken), bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return JSON.parse(Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8')) as T;
  } catch {
    return undefined;
  }
}
