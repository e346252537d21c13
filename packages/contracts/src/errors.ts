/**
 * Every machine `code` a problem+json answer can carry, with its HTTP status. The list is closed:
 * `AppError` (packages/http) takes only these codes, so a new failure is named here first and
 * clients (the web app, the load scenarios) can switch on codes without guessing.
 */
export const ERROR_STATUS = {
  // 400: the request itself is wrong; `VALIDATION_FAILED` names each field in `errors`
  VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  MALFORMED_JSON: 400,
  IDEMPOTENCY_KEY_REQUIRED: 400,
  IDEMPOTENCY_KEY_INVALID: 400,
  UNKNOWN_SEATS: 400,
  TOO_MANY_SEATS: 400,
  MIXED_CURRENCIES: 400,
  TRANSFER_TO_SELF: 400,
  SCAN_ID_REUSED: 400,
  VERIFICATION_INVALID: 400,
  // 401: who the caller is could not be established
  UNAUTHORIZED: 401,
  INTERNAL_ONLY: 401,
  TOKEN_INVALID: 401,
  TOKEN_EXPIRED: 401,
  INVALID_CREDENTIALS: 401,
  INVALID_REFRESH_TOKEN: 401,
  REFRESH_TOKEN_REUSED: 401,
  // 403: known caller, not allowed
  FORBIDDEN: 403,
  ADMIN_ONLY: 403,
  QUEUE_TOKEN_REQUIRED: 403,
  QUEUE_TOKEN_INVALID: 403,
  PROOF_OF_WORK_REQUIRED: 403,
  PROOF_OF_WORK_INVALID: 403,
  PROOF_OF_WORK_EXPIRED: 403,
  STAFF_ONLY: 403,
  ACCOUNT_ID_INVALID: 403,
  ACCESS_CODE_INVALID: 403,
  EMAIL_NOT_VERIFIED: 403,
  NOT_TICKET_HOLDER: 403,
  // 404
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  PERFORMANCE_NOT_FOUND: 404,
  SCHEDULE_NOT_FOUND: 404,
  QUEUE_NOT_FOUND: 404,
  NOT_IN_QUEUE: 404,
  ORDER_NOT_FOUND: 404,
  PAYMENT_NOT_FOUND: 404,
  TICKET_NOT_FOUND: 404,
  RECIPIENT_NOT_FOUND: 404,
  ACCESS_CODE_NOT_FOUND: 404,
  NOT_ON_WAITLIST: 404,
  OFFER_NOT_FOUND: 404,
  RETURN_NOT_FOUND: 404,
  // 409: conflicts with the current state
  EMAIL_TAKEN: 409,
  PERFORMANCE_CANCELLED: 409,
  SOLD_OUT: 409,
  QUEUE_CLOSED: 409,
  SEAT_UNAVAILABLE: 409,
  ACTIVE_ORDER_EXISTS: 409,
  BOOKING_NOT_OPEN: 409,
  BOOKING_CLOSED: 409,
  ORDER_NOT_CANCELLABLE: 409,
  ORDER_NOT_REFUNDABLE: 409,
  ORDER_NOT_PAYABLE: 409,
  ORDER_EXPIRED: 409,
  ORDER_ALREADY_PAID: 409,
  PAYMENT_IN_PROGRESS: 409,
  IDEMPOTENCY_KEY_IN_USE: 409,
  PERSON_LIMIT_REACHED: 409,
  TICKET_REVOKED: 409,
  TICKET_CHECKED_IN: 409,
  TRANSFER_LIMIT_REACHED: 409,
  ACCESS_CODE_EXISTS: 409,
  ACCESS_CODE_USED_UP: 409,
  ACCESS_CODE_OUTSIDE_WINDOW: 409,
  SEATS_AVAILABLE: 409,
  OFFER_NOT_OPEN: 409,
  PROOF_OF_WORK_REPLAYED: 409,
  ALREADY_RETURNED: 409,
  EVENT_OVER: 409,
  RETURN_NOT_ALLOWED: 409,
  RETURN_NOT_WITHDRAWABLE: 409,
  // the body or its encoding
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_ENCODING: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  // slow down
  RATE_LIMITED: 429,
  LOGIN_THROTTLED: 429,
  ENTRY_CAP_REACHED: 429,
  SIGNUP_CAP_REACHED: 429,
  VERIFICATION_MAIL_LIMITED: 429,
  // ours or a dependency's failure
  INTERNAL: 500,
  REDRIVE_UNSUPPORTED: 501,
  UPSTREAM_FAILED: 502,
  MAIL_REJECTED: 502,
  SERVICE_BUSY: 503,
  UPSTREAM_UNAVAILABLE: 503,
  UPSTREAM_TIMEOUT: 503,
  TOKEN_KEYS_UNAVAILABLE: 503,
  QUEUE_FULL: 503,
  PAYMENT_PROVIDER_UNAVAILABLE: 503,
  AUTH_BUSY: 503,
  ACCOUNTS_UNAVAILABLE: 503,
  ADMISSION_CHECK_UNAVAILABLE: 503,
  ACCESS_CODES_UNAVAILABLE: 503,
  BUS_UNAVAILABLE: 503,
  QUEUE_UNAVAILABLE: 503,
  MAIL_UNAVAILABLE: 503,
  MAIL_TIMEOUT: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;
export type ErrorStatus = (typeof ERROR_STATUS)[ErrorCode];
/** The codes answered with one status: what an error class for that status may carry. */
export type CodeWithStatus<S extends ErrorStatus> = { [C in ErrorCode]: (typeof ERROR_STATUS)[C] extends S ? C : never }[ErrorCode];

export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_STATUS, code);
}

/** One field the request got wrong, as `VALIDATION_FAILED` lists them (`body.seatIds.0`, `query.limit`). */
export interface FieldIssue {
  field: string;
  message: string;
}

/** The parts of a `VALIDATION_FAILED` problem: one builder, so every service words it the same way. */
export function validationProblem(issues: readonly FieldIssue[]): { code: 'VALIDATION_FAILED'; status: 400; title: string; detail: string; errors: FieldIssue[] } {
  return {
    code: 'VALIDATION_FAILED',
    status: ERROR_STATUS.VALIDATION_FAILED,
    title: 'Invalid request',
    detail: issues.map((issue) => `${issue.field}: ${issue.message}`).join('; '),
    errors: issues.map(({ field, message }) => ({ field, message })),
  };
}
