import type { Knex } from '@ticketping/db';

export interface RefreshTokenRecord {
  id: string;
  familyId: string;
  userId: string;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
  /** The pair this token's refresh issued, sealed (see grace-pair.ts); null when none is kept. */
  gracePair: string | null;
}

interface RefreshTokenRow { id: string; family_id: string; token_hash: string; user_id: string; expires_at: Date; used_at: Date | null; revoked_at: Date | null; grace_pair: string | null }

const toRecord = (row: RefreshTokenRow): RefreshTokenRecord => ({
  id: row.id, familyId: row.family_id, userId: row.user_id, expiresAt: row.expires_at, usedAt: row.used_at, revokedAt: row.revoked_at, gracePair: row.grace_pair,
});

/** Refresh tokens by the SHA-256 of their value; the value itself is never stored. */
export function createRefreshTokensRepo(db: Knex) {
  return {
    async insert(token: { id: string; familyId: string; userId: string; tokenHash: string; expiresAt: Date }): Promise<void> {
      await db('refresh_tokens').insert({ id: token.id, family_id: token.familyId, user_id: token.userId, token_hash: token.tokenHash, expires_at: token.expiresAt });
    },

    /** Locks the row so two refreshes with the same token are serialised: the second sees it used. */
    async findForUpdate(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
      const row = await db<RefreshTokenRow>('refresh_tokens').where({ token_hash: tokenHash }).forUpdate().first();
      return row && toRecord(row);
    },

    async findByHash(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
      const row = await db<RefreshTokenRow>('refresh_tokens').where({ token_hash: tokenHash }).first();
      return row && toRecord(row);
    },

    /**
     * Marks the token used, keeping the sealed pair it issued for a retry. Only the family's latest
     * rotation can be retried, so the pairs kept for older ones are dropped.
     */
    async markUsed(token: { id: string; familyId: string }, gracePair: string | null): Promise<void> {
      await db('refresh_tokens').where({ id: token.id }).update({ used_at: db.fn.now(), grace_pair: gracePair });
      await db('refresh_tokens').where({ family_id: token.familyId }).whereNot({ id: token.id }).whereNotNull('grace_pair').update({ grace_pair: null });
    },

    async revokeFamily(familyId: string): Promise<void> {
      await db('refresh_tokens').where({ family_id: familyId }).whereNull('revoked_at').update({ revoked_at: db.fn.now() });
    },
  };
}
