import type { Knex } from '@ticketping/db';
import type { AccountDirectory } from '../accounts/auth-directory.ts';
import { findPerformance } from '../catalog-copy/catalog-copy.repo.ts';
import { performanceNotFound, recipientNotFound } from '../tickets/tickets.errors.ts';
import { grantStaff, listStaff, revokeStaff } from './staff.repo.ts';

/**
 * STAFF, scoped to one performance: who may download its scanner bundle and check its tickets in.
 * Kept here rather than as an auth role: the gateway passes on only USER or ADMIN, and the scope
 * is a fact of the door that every sync checks locally.
 */
export function createStaff({ db, accounts }: { db: Knex; accounts: AccountDirectory }) {
  return {
    /** True when the grant is new. */
    async grant(adminId: string, performanceId: string, email: string): Promise<{ userId: string; created: boolean }> {
      if (!(await findPerformance(db, performanceId))) throw performanceNotFound();
      const found = await accounts.findByEmail(email);
      if (!found) throw recipientNotFound();
      return { userId: found.id, created: await grantStaff(db, { userId: found.id, performanceId, grantedBy: adminId }) };
    },
    list: (performanceId: string) => listStaff(db, performanceId),
    revoke: (userId: string, performanceId: string) => revokeStaff(db, userId, performanceId),
  };
}

export type Staff = ReturnType<typeof createStaff>;
