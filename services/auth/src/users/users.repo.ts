import type { Knex } from '@ticketping/db';
import type { Role } from '@ticketping/http';

export interface UserRecord {
  id: string;
  email: string;
  nickname: string;
  passwordHash: string;
  role: Role;
  /** The address was confirmed (the verification link was followed, or an admin confirmed it). */
  emailVerified: boolean;
}

interface UserRow { id: string; email: string; nickname: string; password_hash: string; role: Role; email_verified_at: Date | null }

const toUser = (row: UserRow): UserRecord => ({
  id: row.id, email: row.email, nickname: row.nickname, passwordHash: row.password_hash, role: row.role, emailVerified: row.email_verified_at !== null,
});

const UNIQUE_VIOLATION = '23505';

export function createUsersRepo(db: Knex) {
  return {
    async findByEmail(email: string): Promise<UserRecord | undefined> {
      const row = await db<UserRow>('users').where({ email }).first();
      return row && toUser(row);
    },

    async findById(id: string): Promise<UserRecord | undefined> {
      const row = await db<UserRow>('users').where({ id }).first();
      return row && toUser(row);
    },

    /** Inserts a user; returns false when the email is taken (the unique index decides, not a read). */
    async insert(user: Omit<UserRecord, 'emailVerified'>): Promise<boolean> {
      try {
        await db('users').insert({ id: user.id, email: user.email, nickname: user.nickname, password_hash: user.passwordHash, role: user.role });
        return true;
      } catch (error) {
        if ((error as { code?: string }).code === UNIQUE_VIOLATION) return false;
        throw error;
      }
    },

    /** Locks the account's row: concurrent resends for one account are counted one at a time. */
    async findByIdForUpdate(id: string): Promise<UserRecord | undefined> {
      const row = await db<UserRow>('users').where({ id }).forUpdate().first();
      return row && toUser(row);
    },

    /** Confirms the address, if it is still `email` (an address changed since is not confirmed by an old link). */
    async markVerified(id: string, email: string): Promise<boolean> {
      const updated = await db('users').where({ id, email }).update({ email_verified_at: db.raw('coalesce(email_verified_at, now())'), updated_at: db.fn.now() });
      return updated > 0;
    },

    async setRole(id: string, role: Role): Promise<void> {
      await db('users').where({ id }).update({ role, updated_at: db.fn.now() });
    },
  };
}

export type UsersRepo = ReturnType<typeof createUsersRepo>;
