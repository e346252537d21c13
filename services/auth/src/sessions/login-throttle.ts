import { createHash } from 'node:crypto';
import { TooManyRequestsError, addressRange, canonicalAddress } from '@ticketping/http';
import type { RedisClient } from '@ticketping/redis';

/** The typed face of the Lua scripts in ../redis/lua. */
interface ThrottleCommands {
  countLoginFailure(key: string, windowMs: number): Promise<[number, number]>;
  refundLoginAttempt(key: string): Promise<number>;
}

export interface LoginThrottleConfig {
  keyPrefix: string;
  windowSeconds: number;
  /** Per account from one address range. */
  maxPerAccount: number;
  maxPerIp: number;
  maxPerRange: number;
}

/**
 * Throttles password guessing in Redis, so every replica shares the counts, on three budgets:
 * per account from one address range (/24, /64), per client address, and per address range over
 * all accounts. There is deliberately no budget per account alone: then anyone could lock a fan
 * out by guessing wrong from elsewhere, while the fan, from another range, still gets in.
 * Each attempt is counted before the password is checked (so parallel guesses cannot all slip
 * under the limit); a successful login takes its count back, and so does an attempt that was
 * never checked (auth too busy). Unknown emails are counted exactly like known ones: the throttle
 * must not reveal which accounts exist.
 */
export function createLoginThrottle(redis: RedisClient, config: LoginThrottleConfig) {
  const commands = redis as unknown as ThrottleCommands;
  const windowMs = config.windowSeconds * 1000;
  // Hashed, so Redis never holds the email addresses people typed.
  const keys = (email: string, ip: string) => {
    const address = canonicalAddress(ip);
    const range = addressRange(address);
    return {
      account: `${config.keyPrefix}:login:account:${createHash('sha256').update(email).digest('hex')}:${range}`,
      ip: `${config.keyPrefix}:login:ip:${address}`,
      range: `${config.keyPrefix}:login:range:${range}`,
    };
  };

  return {
    /** Counts the attempt; 429 with Retry-After when any of its budgets is spent. */
    async attempt(email: string, ip: string): Promise<void> {
      const key = keys(email, ip);
      const counted = await Promise.all([
        commands.countLoginFailure(key.account, windowMs),
        commands.countLoginFailure(key.ip, windowMs),
        commands.countLoginFailure(key.range, windowMs),
      ]);
      const limits = [config.maxPerAccount, config.maxPerIp, config.maxPerRange];
      const waitMs = Math.max(...counted.map(([count, ttl], i) => (count > limits[i]! ? ttl : 0)));
      if (waitMs > 0) throw new TooManyRequestsError(waitMs / 1000, 'Too many login attempts; try again later', 'LOGIN_THROTTLED');
    },

    /** A correct password clears the account's failures from this range and gives the address and range their attempt back. */
    async succeeded(email: string, ip: string): Promise<void> {
      const key = keys(email, ip);
      await Promise.all([redis.del(key.account), commands.refundLoginAttempt(key.ip), commands.refundLoginAttempt(key.range)]);
    },

    /** The attempt was never checked (auth was too busy): it costs nothing. */
    async notChecked(email: string, ip: string): Promise<void> {
      const key = keys(email, ip);
      await Promise.all([key.account, key.ip, key.range].map((k) => commands.refundLoginAttempt(k)));
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
