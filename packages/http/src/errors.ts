/**
 * The one error family. Every failure a client should see is an AppError with a stable machine
 * `code` and an HTTP status; the error middleware renders it as problem+json (RFC 9457).
 */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string | undefined;
  readonly extra: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, title: string, options: { detail?: string; extra?: Record<string, unknown>; headers?: Record<string, string>; cause?: unknown } = {}) {
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
  constructor(detail: string, options: Options & { code?: string } = {}) {
    super(400, options.code ?? 'BAD_REQUEST', 'Bad request', { ...options, detail });
  }
}
export class UnauthorizedError extends AppError {
  constructor(code = 'UNAUTHORIZED', detail = 'Authentication is required', options: Options = {}) {
    super(401, code, 'Unauthorized', { ...options, detail, headers: { 'www-authenticate': 'Bearer', ...options.headers } });
  }
}
export class ForbiddenError extends AppError {
  constructor(code = 'FORBIDDEN', detail = 'You may not do this', options: Options = {}) {
    super(403, code, 'Forbidden', { ...options, detail });
  }
}
export class NotFoundError extends AppError {
  constructor(code = 'NOT_FOUND', detail = 'No such resource', options: Options = {}) {
    super(404, code, 'Not found', { ...options, detail });
  }
}
export class ConflictError extends AppError {
  constructor(code: string, detail: string, options: Options = {}) {
    super(409, code, 'Conflict', { ...options, detail });
  }
}
export class TooManyRequestsError extends AppError {
  constructor(retryAfterSeconds: number, detail = 'Too many requests; slow down', code = 'RATE_LIMITED') {
    super(429, code, 'Too many requests', { detail, headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) } });
  }
}
export class ServiceUnavailableError extends AppError {
  constructor(code: string, detail: string, retryAfterSeconds?: number) {
    super(503, code, 'Service unavailable', { detail, headers: retryAfterSeconds ? { 'retry-after': String(Math.ceil(retryAfterSeconds)) } : {} });
  }
}
export class BadGatewayError extends AppError {
  constructor(code: string, detail: string) {
    super(502, code, 'Bad gateway', { detail });
  }
}
