import { z } from 'zod';
import { dateTime, performanceIdParams, uuid } from './common.ts';

/**
 * Presale access codes (issue 14). An administrator makes codes per performance in catalog, which
 * keeps them and their uses in Postgres; the waiting room redeems a code when a fan enters with it
 * and puts the fan in the code's lane.
 */

export const AccessCodeLane = z.enum(['PRESALE', 'PRIORITY']).meta({
  id: 'AccessCodeLane',
  description:
    '`PRESALE`: holders are admitted during the code\'s window even before the general sale opens (`bookingOpensAt`), ahead of everyone else. `PRIORITY`: holders wait in the same waiting room but ahead of the general line (and of the pre-queue draw); they are admitted from the general open.',
});

/** Letters, digits and dashes; compared without regard to case (stored upper-case). */
export const ACCESS_CODE_PATTERN = /^[A-Za-z0-9-]{4,40}$/;
export const AccessCodeText = z.string().trim().regex(ACCESS_CODE_PATTERN, 'must be 4 to 40 letters, digits or dashes');

export const NewAccessCode = z
  .object({
    code: AccessCodeText.optional().meta({ description: 'The code fans type; a random 12-character one is made when absent. Case does not matter.' }),
    lane: AccessCodeLane,
    maxUses: z.number().int('must be an integer').min(1, 'must be at least 1').max(1_000_000, 'must be at most 1000000')
      .meta({ description: 'How many fans may use it: 1 for a single-use code. A fan who enters again with the same code uses it once.' }),
    validFrom: dateTime().meta({ description: 'From when it can be used (inclusive).' }),
    validUntil: dateTime().meta({ description: 'Until when it can be used (exclusive); after `validFrom`.' }),
  })
  .strict()
  .refine((b) => Date.parse(b.validUntil) > Date.parse(b.validFrom), { message: 'must be after validFrom', path: ['validUntil'] })
  .meta({ id: 'NewAccessCode' });

export const AccessCode = z
  .object({
    id: uuid(),
    performanceId: uuid(),
    code: z.string(),
    lane: AccessCodeLane,
    maxUses: z.number().int(),
    uses: z.number().int().meta({ description: 'Fans who used it so far (never more than `maxUses`).' }),
    validFrom: dateTime(),
    validUntil: dateTime(),
    createdAt: dateTime(),
  })
  .meta({ id: 'AccessCode' });

export const AccessCodeList = z.object({ items: z.array(AccessCode) }).meta({ id: 'AccessCodeList' });

export const AccessCodeUses = z
  .object({
    code: AccessCode,
    items: z.array(z.object({ userId: uuid(), usedAt: dateTime() })).meta({ description: 'Who used the code and when, oldest first (at most 1,000).' }),
  })
  .meta({ id: 'AccessCodeUses' });

export const accessCodeParams = performanceIdParams.extend({ codeId: uuid() });

/** Internal (queue → catalog): count one use of a code for a fan, once per fan. */
export const RedeemAccessCode = z.object({ code: AccessCodeText, userId: z.string().min(1).max(200) }).strict();
export const AccessCodeGrant = z.object({
  codeId: uuid(),
  lane: AccessCodeLane,
  /** False when this fan had used the code already (nothing was counted). */
  firstUse: z.boolean(),
});
/** Internal (queue → catalog): give back a use the waiting room could not honour (closed, sold out). */
export const ReleaseAccessCode = z.object({ codeId: uuid(), userId: z.string().min(1).max(200) }).strict();

export type AccessCodeLane = z.infer<typeof AccessCodeLane>;
export type NewAccessCode = z.infer<typeof NewAccessCode>;
export type AccessCode = z.infer<typeof AccessCode>;
export type AccessCodeGrant = z.infer<typeof AccessCodeGrant>;
export type AccessCodeUses = z.infer<typeof AccessCodeUses>;
