import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Knex } from '@ticketping/db';
import { AppError, UnauthorizedError, type Role } from '@ticketping/http';
import type { Logger } from '@ticketping/logger';
import type { PasswordHasher } from '../passwords/password-hasher.ts';
import type { SigningKeys } from '@ticketping/auth-tokens';
import { normalizeEmail } from '../users/users.service.ts';
import { createUsersRepo, type UsersRepo } from '../users/users.repo.ts';
import { openPair, sealPair } from './grace-pair.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { createRefreshTokensRepo, type RefreshTokenRecord } from './refresh-tokens.repo.ts';

export interface TokenPair { accessToken: string; refreshToken: string; tokenType: 'Bearer'; expiresIn: number }

export interface SessionsDeps {
  db: Knex;
  users: UsersRepo;
  hasher: PasswordHasher;
  throttle: LoginThrottle;
  keys: Promise<SigningKeys>;
  logger: Logger;
  onLogin: (outcome: 'success' | 'failure' | 'throttled') => void;
  settings: { audience: string; accessTokenTtlSeconds: number; refreshTokenTtlSeconds: number; refreshRetryGraceSeconds: number };
}

/** The same answer for an unknown email and a wrong password: nothing tells which accounts exist. */
const invalidCredentials = () => new UnauthorizedError('INVALID_CREDENTIALS', 'The email or password is incorrect');
const invalidRefreshToken = () => new UnauthorizedError('INVALID_REFRESH_TOKEN', 'The refresh token is not valid; log in again');

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

type RefreshOutcome = { ok: true; pair: TokenPair } | { ok: false; reused: boolean };

export function createSessionsService(deps: SessionsDeps) {
  const { db, users, hasher, throttle, settings } = deps;

  /** A new opaque refresh token in `familyId`, plus a fresh access token. */
  async function issue(user: { id: string; role: Role; emailVerified: boolean }, familyId: string, trx: Knex): Promise<TokenPair> {
    const refreshToken = randomBytes(32).toString('base64url');
    await createRefreshTokensRepo(trx).insert({
      id: randomUUID(), familyId, userId: user.id, tokenHash: sha256(refreshToken),
      expiresAt: new Date(Date.now() + settings.refreshTokenTtlSeconds * 1000),
    });
    const { signer } = await deps.keys;
    const { token } = await signer.sign({ subject: user.id, audience: settings.audience, expiresInSeconds: settings.accessTokenTtlSeconds, claims: { role: user.role, ...(user.emailVerified ? { ev: true } : {}) } });
    return { accessToken: token, refreshToken, tokenType: 'Bearer', expiresIn: settings.accessTokenTtlSeconds };
  }

  /** The pair a used token issued, when this is a retry within the grace and that pair is still unused. */
  async function retriedWithinGrace(tokens: ReturnType<typeof createRefreshTokensRepo>, token: RefreshTokenRecord, refreshToken: string): Promise<TokenPair | undefined> {
    if (!token.usedAt || token.revokedAt || !token.gracePair) return undefined;
    if (Date.now() - token.usedAt.getTime() > settings.refreshRetryGraceSeconds * 1000) return undefined;
    const pair = openPair<TokenPair>(token.gracePair, refreshToken);
    if (!pair) return undefined;
    // the issued token already refreshed (or revoked): someone else holds the family, no retry
    const next = await tokens.findByHash(sha256(pair.refreshToken));
    return next && !next.usedAt && !next.revokedAt ? pair : undefined;
  }

  return {
    async login(input: { email: string; password: string }, ip: string): Promise<TokenPair> {
      const email = normalizeEmail(input.email);
      try {
        await throttle.attempt(email, ip);
      } catch (error) {
        deps.onLogin('throttled');
        throw error;
      }
      const user = await users.findByEmail(email);
      let ok: boolean;
      try {
        // An unknown email still costs one scrypt run, so timing does not reveal it either.
        ok = user ? await hasher.verify(input.password, user.passwordHash) : await hasher.verifyAgainstDummy(input.password);
      } catch (error) {
        // Refused by the hash budget (503): no password was checked, so no guess is counted.
        if (error instanceof AppError && error.status === 503) await throttle.notChecked(email, ip);
        throw error;
      }
      if (!user || !ok) {
        deps.onLogin('failure');
        throw invalidCredentials();
      }
      await throttle.succeeded(email, ip);
      deps.onLogin('success');
      return issue(user, randomUUID(), db);
    },

    /**
     * Rotation with reuse detection: each refresh token works once. Presenting one that was
     * already used (or revoked) means two parties hold the family, so the whole family is revoked
     * and both must log in again. One exception: the same token again within the retry grace,
     * while the pair it issued is still unused, is a client whose response was lost; it gets that
     * same pair back instead of being logged out mid-checkout.
     */
    // A refresh reads the account again, so tokens refreshed after the address was confirmed carry `ev`.
    async refresh(refreshToken: string): Promise<TokenPair> {
      const outcome = await db.transaction(async (trx): Promise<RefreshOutcome> => {
        const tokens = createRefreshTokensRepo(trx);
        const token = await tokens.findForUpdate(sha256(refreshToken));
        if (!token) return { ok: false, reused: false };
        const retried = await retriedWithinGrace(tokens, token, refreshToken);
        if (retried) return { ok: true, pair: retried };
        if (token.usedAt || token.revokedAt) {
          await tokens.revokeFamily(token.familyId);
          return { ok: false, reused: Boolean(token.usedAt) };
        }
        if (token.expiresAt.getTime() <= Date.now()) return { ok: false, reused: false };
        // through the transaction's own connection: a second one from the pool could wait forever
        // on a pool of one (standalone), holding this row lock meanwhile
        const user = await createUsersRepo(trx).findById(token.userId);
        if (!user) return { ok: false, reused: false };
        // issued inside the transaction, so a retry waiting on the row lock finds the sealed pair
        const pair = await issue(user, token.familyId, trx);
        await tokens.markUsed(token, settings.refreshRetryGraceSeconds > 0 ? sealPair(pair, refreshToken) : null);
        return { ok: true, pair };
      });
      if (outcome.ok) return outcome.pair;
      if (outcome.reused) {
        deps.logger.warn('refresh token reused: revoked its whole family');
        throw new UnauthorizedError('REFRESH_TOKEN_REUSED', 'This refresh token was already used; every session of this login is now revoked');
      }
      throw invalidRefreshToken();
    },

    /** Revokes the login (the refresh family). Only the owner's token counts; anything else is a quiet no-op. */
    async logout(userId: string, refreshToken: string): Promise<void> {
      const tokens = createRefreshTokensRepo(db);
      const token = await tokens.findByHash(sha256(refreshToken));
      if (token && token.userId === userId) await tokens.revokeFamily(token.familyId);
    },
  };
}

export type SessionsService = ReturnType<typeof createSessionsService>;
