import { randomInt, randomUUID } from 'node:crypto';
import type { Knex } from '@ticketping/db';
import { ConflictError, ForbiddenError, NotFoundError } from '@ticketping/http';
import type { AccessCodeGrant, NewAccessCode } from '@ticketping/contracts/http';
import * as repo from './access-codes.repo.ts';
import type { AccessCodeRecord } from './access-codes.repo.ts';

/** Letters and digits that cannot be misread for one another (no 0/O, 1/I/L). */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const GENERATED_LENGTH = 12;
/** The uses the admin page lists for one code. */
export const USES_LISTED = 1000;

const generateCode = () => Array.from({ length: GENERATED_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
/** Fans type codes in any case; they are kept and compared upper-case. */
export const normaliseCode = (code: string) => code.trim().toUpperCase();

export function createAccessCodeUseCases({ db, now }: { db: Knex; now: () => Date }) {
  async function requirePerformance(performanceId: string): Promise<void> {
    if (!(await repo.performanceExists(db, performanceId))) throw new NotFoundError('PERFORMANCE_NOT_FOUND', `No performance ${performanceId}`);
  }

  return {
    async create(performanceId: string, input: NewAccessCode): Promise<AccessCodeRecord> {
      await requirePerformance(performanceId);
      const code = input.code === undefined ? generateCode() : normaliseCode(input.code);
      const id = randomUUID();
      const fields = { id, performanceId, code, lane: input.lane, maxUses: input.maxUses, validFrom: new Date(input.validFrom), validUntil: new Date(input.validUntil) };
      if (!(await repo.insertAccessCode(db, fields))) throw new ConflictError('ACCESS_CODE_EXISTS', `This performance already has the code ${code}`);
      return (await repo.findAccessCode(db, performanceId, { id }))!;
    },

    async list(performanceId: string): Promise<AccessCodeRecord[]> {
      await requirePerformance(performanceId);
      return repo.listAccessCodes(db, performanceId);
    },

    async uses(performanceId: string, codeId: string) {
      const code = await repo.findAccessCode(db, performanceId, { id: codeId });
      if (!code) throw new NotFoundError('ACCESS_CODE_NOT_FOUND', `Performance ${performanceId} has no access code ${codeId}`);
      return { code, items: await repo.listUses(db, codeId, USES_LISTED) };
    },

    /**
     * Counts the fan's use of a code (once per fan: entering again with it counts nothing) and
     * says which lane it opens. Unknown codes and codes of other performances look the same. The
     * window limits new uses only: a fan who used the code keeps its lane after the window (a
     * waiting room rebuilt after a Redis loss lets them back in with it).
     */
    async redeem(performanceId: string, codeText: string, userId: string): Promise<AccessCodeGrant> {
      const code = await repo.findAccessCode(db, performanceId, { code: normaliseCode(codeText) });
      if (!code) throw new ForbiddenError('ACCESS_CODE_INVALID', 'This access code is not valid for this performance');
      const at = now();
      const firstUse = await db.transaction(async (trx) => {
        if (!(await repo.insertUse(trx, code.id, userId, at))) return false;
        // thrown inside the transaction: the use just inserted is rolled back
        if (at < code.validFrom || at >= code.validUntil) {
          throw new ConflictError('ACCESS_CODE_OUTSIDE_WINDOW', `This access code can be used from ${code.validFrom.toISOString()} until ${code.validUntil.toISOString()}`, {
            extra: { validFrom: code.validFrom.toISOString(), validUntil: code.validUntil.toISOString() },
          });
        }
        if (!(await repo.countUse(trx, code.id))) throw new ConflictError('ACCESS_CODE_USED_UP', 'This access code has been used as many times as it allows');
        return true;
      });
      return { codeId: code.id, lane: code.lane, firstUse };
    },

    /** Gives back a use the waiting room could not honour; giving back twice changes nothing. */
    async release(codeId: string, userId: string): Promise<boolean> {
      return db.transaction((trx) => repo.deleteUse(trx, codeId, userId));
    },
  };
}

export type AccessCodeUseCases = ReturnType<typeof createAccessCodeUseCases>;
