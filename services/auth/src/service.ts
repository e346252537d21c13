import type { Knex } from '@ticketping/db';
import { pingDb } from '@ticketping/db';
import { createHttpApp, requireInternalCaller, type HttpApp } from '@ticketping/http';
import type { Logger } from '@ticketping/logger';
import { client, type ServiceMetrics } from '@ticketping/metrics';
import { defineScripts, pingRedis, type RedisClient } from '@ticketping/redis';
import type { AuthConfig } from './config.ts';
import { budgetHasher, createHashBudget } from './passwords/hash-budget.ts';
import { createPasswordHasher } from './passwords/password-hasher.ts';
import { scripts } from './redis/lua/index.generated.ts';
import { createLoginThrottle } from './sessions/login-throttle.ts';
import { mountSessionRoutes } from './sessions/sessions.routes.ts';
import { createSessionsService } from './sessions/sessions.service.ts';
import { loadSigningKeys } from '@ticketping/auth-tokens';
import { createUsersRepo } from './users/users.repo.ts';
import { mountUserRoutes } from './users/users.routes.ts';
import { createUsersService } from './users/users.service.ts';
import { createMailer, type Mailer } from '@ticketping/mail';
import { startVerificationMailer, type VerificationMailer } from './verification/verification-mail.ts';
import { mountVerificationRoutes } from './verification/verification.routes.ts';
import { createVerificationService } from './verification/verification.service.ts';
import type { ServiceKit } from '@ticketping/runtime';

export interface AuthDeps {
  config: AuthConfig;
  logger: Logger;
  metrics: ServiceMetrics;
  /** knex with the `auth` schema on its search path (migrated: see migrate.ts). */
  db: Knex;
  redis: RedisClient;
  /** Defaults to SMTP at SMTP_URL; without either, verification mails wait in the database. */
  mailer?: Mailer;
}

export interface AuthService {
  app: HttpApp;
  /** Loads the signing keys, prepares the dummy password hash and creates the configured admin. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createService({ config, logger, metrics, db, redis, ...deps }: AuthDeps): AuthService {
  defineScripts(redis, scripts);
  const keys = loadSigningKeys(config.AUTH_SIGNING_KEY, config.AUTH_ISSUER, { setting: 'AUTH_SIGNING_KEY', logger });
  keys.catch(() => {}); // surfaced by start(); requests awaiting it fail on their own

  const logins = new client.Counter({ name: 'ticketping_auth_logins_total', help: 'Login attempts by outcome', labelNames: ['outcome'] as const, registers: [metrics.registry] });
  const hashRefused = new client.Counter({ name: 'ticketping_auth_hash_refused_total', help: 'Sign-ups and logins refused with 503 because password hashing was at its budget', labelNames: ['priority', 'reason'] as const, registers: [metrics.registry] });
  const hashed = new client.Counter({ name: 'ticketping_auth_password_hashes_total', help: 'Password hashes computed (scrypt runs) for sign-ups and logins', labelNames: ['priority'] as const, registers: [metrics.registry] });
  const budget = createHashBudget({
    concurrency: config.PASSWORD_HASH_CONCURRENCY,
    loginReserve: config.PASSWORD_HASH_LOGIN_RESERVE,
    queueMax: config.PASSWORD_HASH_QUEUE,
    maxWaitMs: config.PASSWORD_HASH_MAX_WAIT_MS,
    onRefused: (priority, reason) => hashRefused.inc({ priority, reason }),
    onHashed: (priority) => hashed.inc({ priority }),
  });
  const hasher = budgetHasher(createPasswordHasher({ cost: config.PASSWORD_HASH_COST }), budget);
  const usersRepo = createUsersRepo(db);
  const verification = createVerificationService({
    db,
    settings: { ttlSeconds: config.EMAIL_VERIFY_TTL_SECONDS, resendSeconds: config.EMAIL_VERIFY_RESEND_SECONDS, maxPerDay: config.EMAIL_VERIFY_MAX_PER_DAY },
  });
  const users = createUsersService({ db, users: usersRepo, hasher, logger, requestVerification: verification.request });
  const mailer = deps.mailer ?? (config.SMTP_URL ? createMailer({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM }) : undefined);
  const verificationMails = new client.Counter({ name: 'ticketping_auth_verification_mails_total', help: 'Verification mails handed to the SMTP server', registers: [metrics.registry] });
  let verificationMailer: VerificationMailer | undefined;
  const sessions = createSessionsService({
    db,
    users: usersRepo,
    hasher,
    keys,
    logger,
    throttle: createLoginThrottle(redis, {
      keyPrefix: config.REDIS_KEY_PREFIX,
      windowSeconds: config.LOGIN_WINDOW_SECONDS,
      maxPerAccount: config.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      maxPerIp: config.LOGIN_MAX_FAILURES_PER_IP,
      maxPerRange: config.LOGIN_MAX_FAILURES_PER_RANGE,
    }),
    onLogin: (outcome) => logins.inc({ outcome }),
    settings: { audience: config.ACCESS_TOKEN_AUDIENCE, accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS, refreshTokenTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS, refreshRetryGraceSeconds: config.REFRESH_RETRY_GRACE_SECONDS },
  });

  const app = createHttpApp({
    logger,
    metrics,
    bodyLimit: '16kb',
    readiness: { db: () => pingDb(db), redis: () => pingRedis(redis) },
    routes: (router) => {
      // Public keys only: anyone may verify our tokens, so this one route needs no internal token.
      router.get('/.well-known/jwks.json', async (_req, res) => {
        res.set('cache-control', 'public, max-age=300').json((await keys).jwks);
      });
      router.use(requireInternalCaller(config.INTERNAL_TOKEN));
      mountVerificationRoutes(router, verification);
      mountUserRoutes(router, users);
      mountSessionRoutes(router, sessions);
    },
  });

  return {
    app,
    async start() {
      await keys;
      await hasher.verifyAgainstDummy('warm up'); // the first unknown-email login must not take twice as long
      if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) await users.ensureAdmin({ email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD });
      if (mailer) {
        verificationMailer = startVerificationMailer({
          db, mailer, logger, publicUrl: config.PUBLIC_URL, ttlSeconds: config.EMAIL_VERIFY_TTL_SECONDS,
          pollIntervalMs: config.MAIL_POLL_INTERVAL_MS, onSent: () => verificationMails.inc(),
        });
      } else {
        logger.info('SMTP_URL is not set: verification mails wait in the database until it is');
      }
    },
    async stop() {
      await verificationMailer?.stop();
      if (!deps.mailer) mailer?.close();
    },
  };
}

/** The service as main.ts and standalone run it: its clients from the kit. */
export async function build(config: AuthConfig, kit: ServiceKit): Promise<AuthService> {
  const db = await kit.db({ url: config.DATABASE_URL });
  const redis = kit.redis({ url: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES });
  return createService({ config, logger: kit.logger, metrics: kit.metrics, db, redis });
}
