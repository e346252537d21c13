import { createHash } from 'node:crypto';
import { TooManyRequestsError } from '@ticketping/http';
import type { RedisClient } from '@ticketping/redis';

/** The typed face of the Lua scripts in ../redis/lua. */
interface ThrottleCommands {
  countLoginFailure(key: string, windowMs: number): Promise<[number, number]>;
  refundLoginAttempt(key: string): Promise<number>;
}

export interface LoginThrottleConfig {
  keyPrefix: string;
  windowSeconds: number;
  maxPerAccount: number;
  maxPerIp: number;
}

/**
 * Throttles password guessing per account and per client IP, in Redis so every replica shares the
 * counts. Each attempt is counted before the password is checked (so parallel guesses cannot all
 * slip under the limit) and a successful login takes its count back. Unknown emails are counted
 * exactly like known ones: the throttle must not reveal which accounts exist.
 */
export function createLoginThrottle(redis: RedisClient, config: LoginThrottleConfig) {
  const commands = redis as unknown as ThrottleCommands;
  const windowMs = config.windowSeconds * 1000;
  // Hashed, so Redis never holds the email addresses people typed.
  const accountKey = (email: string) => `${config.keyPrefix}:login:account:${createHash('sha256').update(email).digest('hex')}`;
  const ipKey = (ip: string) => `${config.keyPrefix}:login:ip:${ip}`;

  return {
    /** Counts the attempt; 429 with Retry-After when the account or the IP is over its limit. */
    async attempt(email: string, ip: string): Promise<void> {
      const [[perAccount, accountTtl], [perIp, ipTtl]] = await Promise.all([
        commands.countLoginFailure(accountKey(email), windowMs),
        commands.countLoginFailure(ipKey(ip), windowMs),
      ]);
      const waits = [perAccount > config.maxPerAccount ? accountTtl : 0, perIp > config.maxPerIp ? ipTtl : 0];
      const waitMs = Math.max(...waits);
      if (waitMs > 0) throw new TooManyRequestsError(waitMs / 1000, 'Too many login attempts; try again later', 'LOGIN_THROTTLED');
    },

    /** A correct password clears the account's failures and gives the IP its attempt back. */
    async succeeded(email: string, ip: string): Promise<void> {
      await Promise.all([redis.del(accountKey(email)), commands.refundLoginAttempt(ipKey(ip))]);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
