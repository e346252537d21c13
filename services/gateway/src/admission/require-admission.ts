import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { TokenError, type TokenVerifier } from '@ticketping/auth-tokens';
import { AppError, ForbiddenError, UnauthorizedError, validationFailed } from '@ticketping/http';
import type { ScheduleDirectory } from './schedule-directory.ts';

export const QUEUE_TOKEN_HEADER = 'x-queue-token';

const orderBody = z.object({ scheduleId: z.string().min(1).max(100) });

const REASONS: Record<string, string> = {
  TOKEN_EXPIRED: 'The admission token has expired; rejoin the queue',
  TOKEN_WRONG_AUDIENCE: 'The admission token is for another performance',
  TOKEN_INVALID: 'The admission token is not valid for you',
};

/** Reads the JSON body the gateway buffered; bad input is a 400 naming the field, never a 500. */
function scheduleIdOf(req: Request): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '');
  } catch {
    throw new AppError(400, 'MALFORMED_JSON', 'Bad request', { detail: 'The request body is not valid JSON' });
  }
  const result = orderBody.safeParse(parsed);
  if (!result.success) {
    throw validationFailed([{ field: 'body.scheduleId', message: 'required' }]);
  }
  return result.data.scheduleId;
}

/**
 * The admission gate on booking writes, checked locally with no call to the queue service: the
 * X-Queue-Token must be signed by the queue, for the performance the schedule belongs to (`aud`,
 * derived on our side, never taken from the client: seed-spec §11 S2), for this caller (`sub`), and
 * unexpired.
 */
export function requireAdmission(queueTokens: TokenVerifier, schedules: ScheduleDirectory) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    // req.caller is what the gateway verified; the client's x-user-* headers are never read here.
    const who = req.caller;
    if (!who) throw new UnauthorizedError();
    const token = req.headers[QUEUE_TOKEN_HEADER];
    if (typeof token !== 'string' || !token) throw new ForbiddenError('QUEUE_TOKEN_REQUIRED', 'Booking needs the admission token from the waiting room (X-Queue-Token)');
    const performanceId = await schedules.performanceOf(scheduleIdOf(req));
    try {
      await queueTokens.verify(token, { audience: performanceId, subject: who.id });
    } catch (error) {
      if (error instanceof TokenError) throw new ForbiddenError('QUEUE_TOKEN_INVALID', REASONS[error.reason] ?? REASONS.TOKEN_INVALID);
      throw error;
    }
    next();
  };
}
