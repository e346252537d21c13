import { env, loadConfig as load, serviceSettings, z } from '@ticketping/config';

/**
 * auth's environment. Defaults are the standalone defaults; `INTERNAL_TOKEN` has none on purpose:
 * a guessable default would let anyone who reaches the pod skip the gateway.
 */
export const authConfigSchema = z
  .object({
    ...serviceSettings(8081),
    DATABASE_URL: z.string().default('postgres://postgres@127.0.0.1:5432/postgres'),
    REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
    REDIS_CLUSTER_NODES: env.list().optional(),
    /** Prefix of auth's Redis keys (login throttle counters). */
    REDIS_KEY_PREFIX: z.string().default('tp:auth'),
    /** Private Ed25519 JWK, or a JSON array of them: the first signs, all are published. Unset: one is generated at start. */
    AUTH_SIGNING_KEY: z.string().optional(),
    AUTH_ISSUER: z.string().default('ticketping-auth'),
    ACCESS_TOKEN_AUDIENCE: z.string().default('ticketping-api'),
    ACCESS_TOKEN_TTL_SECONDS: env.int(900, 30),
    REFRESH_TOKEN_TTL_SECONDS: env.int(14 * 24 * 3600, 60),
    /**
     * A refresh retried with the same token within this many seconds (its response was lost)
     * gets the same new pair instead of revoking the login; later, reuse revokes it (0: never).
     */
    REFRESH_RETRY_GRACE_SECONDS: env.int(30, 0),
    /** log2 of scrypt's N: 15 is 32 MiB and roughly 50-100 ms per hash. */
    PASSWORD_HASH_COST: z.coerce.number().int().min(10).max(20).default(15),
    /**
     * Password hashes computed at once. Each holds a libuv thread (4 by default, shared with the
     * database driver's DNS and file I/O) and 32 MiB at cost 15.
     */
    PASSWORD_HASH_CONCURRENCY: env.int(2, 1),
    /** Of those, slots only logins take (at most CONCURRENCY − 1), so a flood of sign-ups never holds a login back. */
    PASSWORD_HASH_LOGIN_RESERVE: env.int(1, 0),
    /** Sign-ups and logins waiting for a hash; past it they get 503 AUTH_BUSY with Retry-After at once. */
    PASSWORD_HASH_QUEUE: env.int(16, 0),
    /** Longest wait for a hash before 503 AUTH_BUSY: well under the gateway's 10 s upstream deadline. */
    PASSWORD_HASH_MAX_WAIT_MS: env.int(3000, 1),
    LOGIN_WINDOW_SECONDS: env.int(900, 1),
    /**
     * Failed logins allowed per account (known or not) from one address range (/24, /64) per
     * window; successes do not count. Per range, not per account alone: guesses from elsewhere
     * must not lock the owner out.
     */
    LOGIN_MAX_FAILURES_PER_ACCOUNT: env.int(10, 1),
    /** Failed logins allowed per client IP per window, over all accounts. */
    LOGIN_MAX_FAILURES_PER_IP: env.int(100, 1),
    /** Failed logins allowed per address range (/24, /64) per window, over all accounts. */
    LOGIN_MAX_FAILURES_PER_RANGE: env.int(300, 1),
    /** Where verification mail is handed over (smtp:// or smtps://). Unset: the mails wait in the database until it is set. */
    SMTP_URL: z.string().url().optional(),
    MAIL_FROM: z.string().default('TicketPing <accounts@ticketping.invalid>'),
    /** Where the fan pages are, for the link in the verification mail. */
    PUBLIC_URL: z.string().url().default('http://127.0.0.1:8080'),
    MAIL_POLL_INTERVAL_MS: env.int(1000, 10),
    /** How long a verification link works. */
    EMAIL_VERIFY_TTL_SECONDS: env.int(48 * 3600, 60),
    /** At most one verification mail per account per this many seconds (resends). */
    EMAIL_VERIFY_RESEND_SECONDS: env.int(60, 1),
    /** At most this many verification mails per account a day. */
    EMAIL_VERIFY_MAX_PER_DAY: env.int(5, 1),
    /** The first administrator, created (or promoted) at start. Both or neither. */
    ADMIN_EMAIL: z.string().email().optional(),
    ADMIN_PASSWORD: z.string().min(8).max(256).optional(),
  })
  .refine((c) => Boolean(c.ADMIN_EMAIL) === Boolean(c.ADMIN_PASSWORD), {
    message: 'set ADMIN_EMAIL and ADMIN_PASSWORD together',
    path: ['ADMIN_PASSWORD'],
  });

export type AuthConfig = z.infer<typeof authConfigSchema>;

export function loadConfig(environment: Record<string, string | undefined> = process.env): AuthConfig {
  return load(authConfigSchema, environment);
}
