import type { Request, Response } from 'express';
import { ZodError } from 'zod';
import type { ErrorCode } from '@ticketping/contracts/errors';
import { AppError, validationFailed } from './errors.ts';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  requestId?: string;
  [extra: string]: unknown;
}

const typeFor = (code: string) => `https://ticketping.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`;

/** Body-parser and other http-errors style failures carry `status`/`type` and are safe to describe. */
interface HttpLikeError { status?: number; statusCode?: number; type?: string; expose?: boolean; message?: string }

function zodToAppError(error: ZodError, where: string): AppError {
  return validationFailed(error.issues.map((issue) => ({ field: issue.path.join('.') || where, message: issue.message })));
}

/** Maps anything thrown to an AppError; `undefined` means unexpected (a bug or an outage). */
export function toAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  if (error instanceof ZodError) return zodToAppError(error, 'body');
  // Every pooled connection busy (knex's acquire timeout): an overload, not a bug. Say so and when
  // to retry instead of a 500, so clients and load balancers back off.
  if ((error as Error | undefined)?.name === 'KnexTimeoutError') {
    return new AppError(503, 'SERVICE_BUSY', 'Service unavailable', { detail: 'The service is busy; retry shortly', headers: { 'retry-after': '2' } });
  }
  const e = error as HttpLikeError;
  const status = e?.status ?? e?.statusCode;
  if (e?.type === 'entity.too.large') return new AppError(413, 'PAYLOAD_TOO_LARGE', 'Payload too large', { detail: 'The request body exceeds the size limit' });
  if (e?.type === 'entity.parse.failed') return new AppError(400, 'MALFORMED_JSON', 'Bad request', { detail: 'The request body is not valid JSON' });
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return new AppError(415, 'UNSUPPORTED_ENCODING', 'Unsupported media type', { detail: e.message ?? 'Unsupported body encoding' });
  if (typeof status === 'number' && status >= 400 && status < 500) return new AppError(status, 'BAD_REQUEST', 'Bad request', { detail: e.expose && e.message ? e.message : 'The request could not be processed' });
  return undefined;
}

export function problemOf(error: AppError, req?: Request): Problem {
  return {
    type: typeFor(error.code),
    title: error.message,
    status: error.status,
    detail: error.detail ?? error.message,
    code: error.code,
    ...(req ? { instance: req.originalUrl.split('?')[0] } : {}),
    ...(req?.id ? { requestId: String(req.id) } : {}),
    ...error.extra,
  };
}

export function sendProblem(res: Response, error: AppError, req?: Request): void {
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  res.status(error.status).type('application/problem+json').send(JSON.stringify(problemOf(error, req)));
}

export const internalError = () => new AppError(500, 'INTERNAL', 'Internal server error', { detail: 'Something went wrong on our side; it has been logged' });
