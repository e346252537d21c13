import { z } from 'zod';
import { LIMITS } from '../limits.ts';

/** RFC 9457 problem details with a stable machine code: the body of every error answer. */
export const Problem = z
  .looseObject({
    type: z.string().meta({ format: 'uri' }),
    title: z.string(),
    status: z.union([z.number().int(), z.string()]).meta({
      description:
        'The HTTP status. Known exception kept for existing clients: `ORDER_NOT_CANCELLABLE`, `ORDER_NOT_REFUNDABLE` and `ORDER_NOT_PAYABLE` put the order\'s state here (a string, e.g. `CANCELLED`).',
    }),
    detail: z.string(),
    code: z.string().meta({ examples: ['SEAT_UNAVAILABLE', 'QUEUE_TOKEN_REQUIRED'], description: 'One of the codes in packages/contracts errors.ts' }),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() }).partial()).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details with a stable machine code.' });

export const uuid = (message = 'must be a UUID') => z.uuid(message);
export const dateTime = () => z.iso.datetime({ offset: true });

export const performanceIdParams = z.object({ performanceId: uuid().meta({ param: { id: 'PerformanceId' } }) });
export const scheduleIdParams = z.object({ scheduleId: uuid().meta({ param: { id: 'ScheduleId' } }) });
export const orderIdParams = z.object({ orderId: z.uuid().meta({ param: { id: 'OrderId' } }) });
export const paymentIdParams = z.object({ paymentId: z.uuid() });

const limit = z.coerce
  .number()
  .int('must be an integer')
  .min(LIMITS.pageSize.min, `must be at least ${LIMITS.pageSize.min}`)
  .max(LIMITS.pageSize.max, `must be at most ${LIMITS.pageSize.max}`)
  .default(LIMITS.pageSize.default)
  .meta({ param: { id: 'Limit' } });

/** `?limit=&cursor=` of a listing; the cursor is opaque (the service decodes it, or answers 400 naming it). */
export const pageQuery = z.object({ limit, cursor: z.string().min(1).max(512).optional().meta({ param: { id: 'Cursor' } }) });

/** One page of a listing; `nextCursor` is null on the last page. */
export const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** `Idempotency-Key`: same key and same user ⇒ the same stored response. */
export const idempotencyHeaders = z.object({
  'Idempotency-Key': z
    .string()
    .max(LIMITS.idempotencyKeyLength)
    .optional()
    .meta({
      param: { id: 'IdempotencyKey' },
      description: `Same key and same user ⇒ the same stored response for 24 h; a duplicate still in flight gets 409. 1 to ${LIMITS.idempotencyKeyLength} visible ASCII characters.`,
    }),
});
