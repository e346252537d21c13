import type { Knex } from '@ticketping/db';

type Db = Knex | Knex.Transaction;

export interface StaffGrant { userId: string; performanceId: string; grantedBy: string; grantedAt: Date }

/** True when this call made the grant (false: it existed). */
export async function grantStaff(db: Db, grant: Omit<StaffGrant, 'grantedAt'>): Promise<boolean> {
  const rows = await db('staff_grants')
    .insert({ user_id: grant.userId, performance_id: grant.performanceId, granted_by: grant.grantedBy })
    .onConflict(['user_id', 'performance_id'])
    .ignore()
    .returning('user_id');
  return rows.length > 0;
}

export async function revokeStaff(db: Db, userId: string, performanceId: string): Promise<boolean> {
  return (await db('staff_grants').where({ user_id: userId, performance_id: performanceId }).delete()) > 0;
}

export async function isStaff(db: Db, userId: string, performanceId: string): Promise<boolean> {
  return (await db('staff_grants').where({ user_id: userId, performance_id: performanceId }).first('user_id')) !== undefined;
}

export async function listStaff(db: Db, performanceId: string): Promise<StaffGrant[]> {
  const rows = await db('staff_grants').where('performance_id', performanceId).orderBy('granted_at');
  return rows.map((r: { user_id: string; performance_id: string; granted_by: string; granted_at: Date }) => ({
    userId: r.user_id, performanceId: r.performance_id, grantedBy: r.granted_by, grantedAt: r.granted_at,
  }));
}
