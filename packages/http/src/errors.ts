import { validationProblem, type CodeWithStatus, type ErrorCode, type FieldIssue } from '@ticketping/contracts/errors';

/**
 * The one error family. Every failure a client should see is an AppError with a stable machine
 * `code` and an HTTP status; the error middleware renders it as problem+json (RFC 9457).
 */
export class AppError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly detail: string | undefined;
  readonly extra: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(status: number, code: ErrorCode, title: string, options: { detail?: string; extra?: Record<string, unknown>; headers?: Record<string, string>; cause?: unknown } = {}) {
    super(title, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.detail = options.detail;
    this.extra = options.extra ?? {};
    this.headers = options.headers ?? {};
  }
}

type Options = ConstructorParameters<typeof AppError>[3];

export class BadRequestError extends AppError {
  constructor(detail: string, options: Options & { code?: CodeWithStatus<400> } = {}) {
    super(400, options.code ?? 'BAD_REQUEST', 'Bad request', { ...options, detail });
  }
}
export class UnauthorizedError extends AppError {
  constructor(code: CodeWithStatus<401> = 'UNAUTHORIZED', detail = 'Authentication is required', options: Options = {}) {
    super(401, code, 'Unauthorized', { ...options, detail, headers: { 'www-authenticate': 'Bearer', ...options.headers } });
  }
}
export class ForbiddenError extends AppError {
  constructor(code: CodeWithStatus<403> = 'FORBIDDEN', detail = 'You may not do this', options: Options = {}) {
    super(403, code, 'Forbidden', { ...options, detail });
  }
}
export class NotFoundError extends AppError {
  constructor(code: CodeWithStatus<404> = 'NOT_FOUND', detail = 'No such resource', options: Options = {}) {
    super(404, code, 'Not found', { ...options, detail });
  }
}
export class ConflictError extends AppError {
  constructor(code: CodeWithStatus<409>, detail: string, options: Options = {}) {
    super(409, code, 'Conflict', { ...options, detail });
  }
}
export class TooManyRequestsError extends AppError {
  constructor(retryAfterSeconds: number, detail = 'Too many requests; slow down', code: CodeWithStatus<429> = 'RATE_LIMITED') {
    super(429, code, 'Too many requests', { detail, headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) } });
  }
}
export class ServiceUnavailableError extends AppError {
  constructor(code: CodeWithStatus<503>, detail: string, retryAfterSeconds?: number) {
    super(503, code, 'Service unavailable', { detail, headers: retryAfterSeconds ? { 'retry-after': String(Math.ceil(retryAfterSeconds)) } : {} });
  }
}
export class BadGatewayError extends AppError {
  constructor(code: CodeWithStatus<502>, detail: string) {
    super(502, code, 'Bad gateway', { detail });
  }
}

/** 400 `VALIDATION_FAILED` naming each field: the one way to say "this input is wrong" outside zod. */
export function validationFailed(issues: readonly FieldIssue[]): AppError {
  const { status, code, title, detail, errors } = validationProblem(issues);
  return new AppError(status, code, title, { detail, extra: { errors } });
}
