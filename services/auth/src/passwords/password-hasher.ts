import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Passwords are hashed with scrypt (memory-hard) and a random salt. The stored string carries its
 * own parameters (`scrypt$<log2 N>$<r>$<p>$<salt>$<hash>`, base64url), so the cost can be raised
 * later and old hashes still verify.
 */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Constant-time comparison; false for a malformed stored hash. */
  verify(password: string, stored: string): Promise<boolean>;
  /**
   * Spends the same time as a real verification and returns false: used when the email is
   * unknown, so a login's timing does not tell whether the account exists.
   */
  verifyAgainstDummy(password: string): Promise<false>;
}

const KEY_LENGTH = 32;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;

function derive(password: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** logN;
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export function createPasswordHasher({ cost }: { cost: number }): PasswordHasher {
  const hash = async (password: string) => {
    const salt = randomBytes(16);
    const key = await derive(password, salt, cost, BLOCK_SIZE, PARALLELISM);
    return ['scrypt', cost, BLOCK_SIZE, PARALLELISM, salt.toString('base64url'), key.toString('base64url')].join('$');
  };

  const verify = async (password: string, stored: string) => {
    const [scheme, logN, r, p, salt, expected] = stored.split('$');
    if (scheme !== 'scrypt' || !salt || !expected) return false;
    const key = await derive(password, Buffer.from(salt, 'base64url'), Number(logN), Number(r), Number(p));
    const want = Buffer.from(expected, 'base64url');
    return want.length === key.length && timingSafeEqual(key, want);
  };

  let dummy: Promise<string> | undefined;
  const verifyAgainstDummy = async (password: string): Promise<false> => {
    dummy ??= hash(randomBytes(16).toString('hex'));
    await verify(password, await dummy);
    return false;
  };

  return { hash, verify, verifyAgainstDummy };
}
