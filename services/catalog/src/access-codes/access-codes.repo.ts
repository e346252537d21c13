import type { Knex } from '@ticketping/db';
import type { AccessCodeLane } from '@ticketping/contracts/http';

/** An access code as catalog keeps it. */
export interface AccessCodeRecord {
  id: string;
  performanceId: string;
  code: string;
  lane: AccessCodeLane;
  maxUses: number;
  uses: number;
  validFrom: Date;
  validUntil: Date;
  createdAt: Date;
}

interface AccessCodeRow {
  id: string;
  performance_id: string;
  code: string;
  lane: AccessCodeLane;
  max_uses: number;
  uses: number;
  valid_from: Date;
  valid_until: Date;
  created_at: Date;
}

const toRecord = (r: AccessCodeRow): AccessCodeRecord => ({
  id: r.id,
  performanceId: r.performance_id,
  code: r.code,
  lane: r.lane,
  maxUses: r.max_uses,
  uses: r.uses,
  validFrom: r.valid_from,
  validUntil: r.valid_until,
  createdAt: r.created_at,
});

export async function performanceExists(db: Knex, performanceId: string): Promise<boolean> {
  return (await db('performances').where({ id: performanceId }).first('id')) !== undefined;
}

/** Inserts a code; false when the performance already has one with that text. */
export async function insertAccessCode(db: Knex, c: Omit<AccessCodeRecord, 'uses' | 'createdAt'>): Promise<boolean> {
  const inserted = await db('access_codes')
    .insert({ id: c.id, performance_id: c.performanceId, code: c.code, lane: c.lane, max_uses: c.maxUses, valid_from: c.validFrom, valid_until: c.validUntil })
    .onConflict(['performance_id', 'code'])
    .ignore()
    .returning('id');
  return inserted.length === 1;
}

export async function findAccessCode(db: Knex, performanceId: string, by: { id: string } | { code: string }): Promise<AccessCodeRecord | undefined> {
  const row = await db<AccessCodeRow>('access_codes')
    .where({ performance_id: performanceId, ...('id' in by ? { id: by.id } : { code: by.code }) })
    .first();
  return row ? toRecord(row) : undefined;
}

export async function listAccessCodes(db: Knex, performanceId: string): Promise<AccessCodeRecord[]> {
  const rows = await db<AccessCodeRow>('access_codes').where({ performance_id: performanceId }).orderBy([{ column: 'created_at' }, { column: 'id' }]);
  return rows.map(toRecord);
}

export async function listUses(db: Knex, codeId: string, limit: number): Promise<Array<{ userId: string; usedAt: Date }>> {
  const rows = await db('access_code_uses').where({ code_id: codeId }).orderBy([{ column: 'used_at' }, { column: 'user_id' }]).limit(limit);
  return rows.map((r: { user_id: string; used_at: Date }) => ({ userId: r.user_id, usedAt: r.used_at }));
}

/**
 * Records the fan's use: true when this is the fan's first use of the code. The row waits on a
 * concurrent insert of the same fan and code, so two entries of one fan count once.
 */
export async function insertUse(trx: Knex.Transaction, codeId: string, userId: string, at: Date): Promise<boolean> {
  const inserted = await trx('access_code_uses').insert({ code_id: codeId, user_id: userId, used_at: at }).onConflict(['code_id', 'user_id']).ignore().returning('code_id');
  return inserted.length === 1;
}

/**
 * Counts one use, unless the code is used up. The update takes the code's row lock and, under
 * read committed, re-checks `uses < max_uses` once a concurrent counter commits: of N fans racing
 * for the last use exactly one gets a row back.
 */
export async function countUse(trx: Knex.Transaction, codeId: string): Promise<boolean> {
  const updated = await trx('access_codes').where({ id: codeId }).andWhere('uses', '<', trx.ref('max_uses')).increment('uses', 1).returning('id');
  return updated.length === 1;
}

/** Gives a use back; false when the fan had no use of the code. */
export async function deleteUse(trx: Knex.Transaction, codeId: string, userId: string): Promise<boolean> {
  const deleted = await trx('access_code_uses').where({ code_id: codeId, user_id: userId }).delete();
  if (deleted === 0) return false;
  await trx('access_codes').where({ id: codeId }).andWhere('uses', '>', 0).decrement('uses', 1);
  return true;
}
