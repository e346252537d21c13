import { randomUUID } from 'node:crypto';
import type { Knex } from '@ticketping/db';
import { ConflictError, NotFoundError, type Role } from '@ticketping/http';
import type { Logger } from '@ticketping/logger';
import type { PasswordHasher } from '../passwords/password-hasher.ts';
import { createUsersRepo, type UsersRepo } from './users.repo.ts';

export interface PublicUser { id: string; email: string; nickname: string }
export interface Profile extends PublicUser { role: Role; emailVerified: boolean }

/** Emails compare case-insensitively: stored trimmed and lower-cased. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

export interface UsersDeps {
  db: Knex;
  users: UsersRepo;
  hasher: PasswordHasher;
  logger: Logger;
  /** Adds the verification mail of a new account, in the transaction that creates it. */
  requestVerification: (trx: Knex.Transaction, user: { id: string; email: string }) => Promise<void>;
}

export function createUsersService({ db, users, hasher, logger, requestVerification }: UsersDeps) {
  return {
    /**
     * Public sign-up always makes a USER: roles are never taken from the request. The account and
     * its verification mail are written together: no account is left without its mail.
     */
    async signUp(input: { email: string; password: string; nickname: string }): Promise<PublicUser> {
      const user = { id: randomUUID(), email: normalizeEmail(input.email), nickname: input.nickname.trim(), passwordHash: await hasher.hash(input.password), role: 'USER' as const };
      await db.transaction(async (trx) => {
        if (!(await createUsersRepo(trx).insert(user))) throw new ConflictError('EMAIL_TAKEN', 'An account with this email already exists');
        await requestVerification(trx, user);
      });
      return { id: user.id, email: user.email, nickname: user.nickname };
    },

    async profile(id: string): Promise<Profile> {
      const user = await users.findById(id);
      if (!user) throw new NotFoundError('USER_NOT_FOUND', 'The account no longer exists');
      return { id: user.id, email: user.email, nickname: user.nickname, role: user.role, emailVerified: user.emailVerified };
    },

    /** The account with this address, for another service (transfers, staff grants); 404 when none. */
    async contact(id: string): Promise<{ id: string; email: string }> {
      const user = await users.findById(id);
      if (!user) throw new NotFoundError('USER_NOT_FOUND', 'No account has this id');
      return { id: user.id, email: user.email };
    },

    async lookup(email: string): Promise<{ id: string }> {
      const user = await users.findByEmail(normalizeEmail(email));
      if (!user) throw new NotFoundError('USER_NOT_FOUND', 'No account has this e-mail address');
      return { id: user.id };
    },

    /**
     * Creates the administrator, or promotes an existing account. An existing account keeps its
     * password: a restart with the same settings must not reset what the admin changed since.
     */
    async ensureAdmin(input: { email: string; password: string }): Promise<{ id: string; created: boolean }> {
      const email = normalizeEmail(input.email);
      const existing = await users.findByEmail(email);
      if (existing) {
        if (existing.role !== 'ADMIN') await users.setRole(existing.id, 'ADMIN');
        logger.info({ userId: existing.id }, 'administrator account present');
        return { id: existing.id, created: false };
      }
      const admin = { id: randomUUID(), email, nickname: 'admin', passwordHash: await hasher.hash(input.password), role: 'ADMIN' as const };
      if (!(await users.insert(admin))) return this.ensureAdmin(input); // another replica created it first
      logger.info({ userId: admin.id }, 'administrator account created');
      return { id: admin.id, created: true };
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
