import type { z } from 'zod';
import { Credentials, Profile, RefreshRequest, SignUp, TokenPair, User } from './auth.ts';
import { NewOrder, Order, OrderPage, RefundRequest } from './booking.ts';
import { NewPerformance, Performance, PerformanceChange, PerformancePage, Schedule, SeatMap } from './catalog.ts';
import { idempotencyHeaders, orderIdParams, pageQuery, paymentIdParams, performanceIdParams, Problem, scheduleIdParams } from './common.ts';
import { NewPayment, Payment } from './payment.ts';
import { FaroPayload, OpenApiText } from './platform.ts';
import { Queue, QueueEntry, QueueSettingsChange } from './queue.ts';

/** Problem answers described once in docs/openapi.yaml (components.responses) and shared by routes. */
export type SharedResponse =
  'BadRequest' | 'Unauthorized' | 'Forbidden' | 'NotFound' | 'Conflict' | 'PayloadTooLarge' | 'TooManyRequests' | 'Unavailable';

export type RouteResponse =
  { description: string; body?: z.ZodType; shared?: never } | { shared: SharedResponse; description?: string; body?: never };

export interface Route {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI style: `{performanceId}`. */
  path: string;
  tags: readonly string[];
  summary: string;
  description?: string;
  /** Reachable without an access token. */
  public?: true;
  /** Also needs the admission token (X-Queue-Token). */
  queueToken?: true;
  request?: { params?: z.ZodObject; query?: z.ZodObject; headers?: z.ZodObject; body?: z.ZodType; bodyOptional?: true };
  responses: Readonly<Record<number, RouteResponse>>;
}

/**
 * Every public route: its request parts and the body of each answer. Services validate requests
 * with these schemas, tests check real answers against them (`expectContract` in
 * packages/testing), and docs/openapi.yaml is generated from this list (`npm run openapi`).
 * The key is the operation id.
 */
export const ROUTES = {
  signUp: {
    method: 'post',
    path: '/api/v1/users',
    tags: ['Identity'],
    summary: 'Sign up',
    description: 'Always creates a `USER`; any `role` in the body is ignored. Administrators come from configuration only.',
    public: true,
    request: { body: SignUp },
    responses: {
      201: { description: 'Created', body: User },
      400: { shared: 'BadRequest' },
      409: { shared: 'Conflict', description: '`EMAIL_TAKEN`' },
      413: { shared: 'PayloadTooLarge' },
      429: { shared: 'TooManyRequests' },
    },
  },
  logIn: {
    method: 'post',
    path: '/api/v1/auth/login',
    tags: ['Identity'],
    summary: 'Log in',
    description:
      'An unknown email and a wrong password get the same 401 `INVALID_CREDENTIALS` in similar time.\nFailed attempts are throttled per account (known or not) and per client address: 429 `LOGIN_THROTTLED`.',
    public: true,
    request: { body: Credentials },
    responses: {
      200: { description: 'Tokens', body: TokenPair },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      429: { shared: 'TooManyRequests' },
    },
  },
  refreshTokens: {
    method: 'post',
    path: '/api/v1/auth/refresh',
    tags: ['Identity'],
    summary: 'Rotate the refresh token',
    description:
      'Each refresh token works once and is replaced. Presenting one that was already used is\n401 `REFRESH_TOKEN_REUSED` and revokes every token of that login (the family).\nUnknown, expired or revoked: 401 `INVALID_REFRESH_TOKEN`.',
    public: true,
    request: { body: RefreshRequest },
    responses: {
      200: { description: 'New tokens', body: TokenPair },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
    },
  },
  logOut: {
    method: 'post',
    path: '/api/v1/auth/logout',
    tags: ['Identity'],
    summary: 'Log out',
    description: "Revokes the caller's login (its refresh-token family). The access token expires on its own within minutes.",
    request: { body: RefreshRequest },
    responses: {
      204: { description: 'Logged out' },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
    },
  },
  getProfile: {
    method: 'get',
    path: '/api/v1/users/me',
    tags: ['Identity'],
    summary: "The caller's profile",
    responses: {
      200: { description: 'Profile', body: Profile },
      401: { shared: 'Unauthorized' },
    },
  },
  listPerformances: {
    method: 'get',
    path: '/api/v1/performances',
    tags: ['Catalog'],
    summary: 'List performances',
    public: true,
    request: { query: pageQuery },
    responses: {
      200: { description: 'A page of performances', body: PerformancePage },
      400: { shared: 'BadRequest' },
    },
  },
  createPerformance: {
    method: 'post',
    path: '/api/v1/performances',
    tags: ['Catalog'],
    summary: 'Create a performance (ADMIN)',
    description: 'Seats are generated per schedule from the sections; the waiting room is configured from `queue`.',
    request: { body: NewPerformance },
    responses: {
      201: { description: 'Created', body: Performance },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      403: { shared: 'Forbidden' },
    },
  },
  getPerformance: {
    method: 'get',
    path: '/api/v1/performances/{performanceId}',
    tags: ['Catalog'],
    summary: 'A performance with its schedules and grades',
    public: true,
    request: { params: performanceIdParams },
    responses: {
      200: { description: 'The performance', body: Performance },
      404: { shared: 'NotFound' },
    },
  },
  changePerformance: {
    method: 'patch',
    path: '/api/v1/performances/{performanceId}',
    tags: ['Catalog'],
    summary: "Change a performance's sale settings (ADMIN)",
    description:
      'Any of the fields below; the seat layout and prices never change once published. Unknown\nfields are ignored; a body naming none of the fields is 400 `VALIDATION_FAILED`. The booking\nwindow is checked against the stored one: `bookingOpensAt` must stay before `bookingClosesAt`\n(400 naming the field sent). The change is republished (`performance.published`): booking\nuses the new window and `maxSeatsPerOrder`; the waiting room moves its `opensAt` (only while\nit has not opened yet) and `closesAt`, but an existing waiting room keeps its `capacity` and\n`admitPerMinute`: change those with `PATCH /api/v1/queues/{performanceId}`.',
    request: { params: performanceIdParams, body: PerformanceChange },
    responses: {
      200: { description: 'The performance as stored after the change', body: Performance },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      403: { shared: 'Forbidden', description: '`ADMIN_ONLY`' },
      404: { shared: 'NotFound', description: '`PERFORMANCE_NOT_FOUND`' },
      409: { shared: 'Conflict', description: '`PERFORMANCE_CANCELLED`: a cancelled performance can no longer change' },
      413: { shared: 'PayloadTooLarge' },
    },
  },
  cancelPerformance: {
    method: 'post',
    path: '/api/v1/performances/{performanceId}/cancel',
    tags: ['Catalog'],
    summary: 'Cancel a performance (ADMIN)',
    description:
      "Calls the sale off: the performance's `status` becomes `CANCELLED` and `performance.cancelled`\nis published once; booking then refuses new holds with 409 `PERFORMANCE_CANCELLED`.\nCancelling again answers the same 200 and publishes nothing. No body is read. Orders\nalready placed are not changed (refund confirmed ones with\n`POST /api/v1/orders/{orderId}/refund`), and the waiting room is not closed by it (set its\n`state` with `PATCH /api/v1/queues/{performanceId}`).",
    request: { params: performanceIdParams },
    responses: {
      200: { description: 'The cancelled performance', body: Performance },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      403: { shared: 'Forbidden', description: '`ADMIN_ONLY`' },
      404: { shared: 'NotFound', description: '`PERFORMANCE_NOT_FOUND`' },
    },
  },
  getSchedule: {
    method: 'get',
    path: '/api/v1/schedules/{scheduleId}',
    tags: ['Catalog'],
    summary: 'A schedule and the performance it belongs to',
    description: 'The gateway uses it to check admission tokens on booking writes (the mapping never changes).',
    public: true,
    request: { params: scheduleIdParams },
    responses: {
      200: { description: 'The schedule', body: Schedule },
      404: { shared: 'NotFound' },
    },
  },
  getSeatMap: {
    method: 'get',
    path: '/api/v1/schedules/{scheduleId}/seats',
    tags: ['Catalog'],
    summary: 'The seat map of a schedule',
    public: true,
    request: { params: scheduleIdParams },
    responses: {
      200: { description: 'Seats', body: SeatMap },
      404: { shared: 'NotFound' },
    },
  },
  getQueue: {
    method: 'get',
    path: '/api/v1/queues/{performanceId}',
    tags: ['Waiting room'],
    summary: "The waiting room's public figures",
    description:
      'Settings, live figures, the scheduled open and the published draw. Cacheable for one second\n(`Cache-Control: public, max-age=1`).',
    public: true,
    request: { params: performanceIdParams },
    responses: {
      200: { description: 'Figures', body: Queue },
      400: { shared: 'BadRequest' },
      404: { shared: 'NotFound', description: '`QUEUE_NOT_FOUND`: this performance has no waiting room' },
      429: { shared: 'TooManyRequests' },
    },
  },
  configureQueue: {
    method: 'patch',
    path: '/api/v1/queues/{performanceId}',
    tags: ['Waiting room'],
    summary: 'Configure the waiting room (ADMIN)',
    description:
      'Any of `capacity`, `admitPerMinute`, `state`, `maxLine`; unknown fields and an empty body are\n400 `VALIDATION_FAILED`. Takes effect at the next admission tick (at once when `state`\nbecomes `OPEN` or `capacity` / `admitPerMinute` change). `state: OPEN` also reopens a\n`SOLD_OUT` or `CLOSED` waiting room; after `closesAt` the next tick closes it again.',
    request: { params: performanceIdParams, body: QueueSettingsChange },
    responses: {
      200: { description: 'The new figures', body: Queue },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      403: { shared: 'Forbidden', description: '`ADMIN_ONLY`' },
      404: { shared: 'NotFound', description: '`QUEUE_NOT_FOUND`' },
      413: { shared: 'PayloadTooLarge' },
    },
  },
  enterQueue: {
    method: 'post',
    path: '/api/v1/queues/{performanceId}/entries',
    tags: ['Waiting room'],
    summary: 'Enter the waiting room',
    description:
      'Entering twice returns the same entry. Before a scheduled open (`opensAt`) the entry waits\nin the pre-queue (`reason: PRE_QUEUE`); at the open the pre-queue joins the line in draw\norder (see `Queue.draw`), ahead of everyone who enters after the open.',
    request: { params: performanceIdParams },
    responses: {
      200: { description: 'The entry', body: QueueEntry },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      404: { shared: 'NotFound', description: '`QUEUE_NOT_FOUND`' },
      409: { shared: 'Conflict', description: '`SOLD_OUT` or `QUEUE_CLOSED`' },
      503: {
        shared: 'Unavailable',
        description:
          '`QUEUE_FULL` (with `Retry-After`: the time the line needs to shrink below its limit, 5 to\n300 seconds), or a service outage. The limit is `maxLine` when set, otherwise\n`QUEUE_MAX_LINE_FACTOR` (2 by default) × the seats still available.',
      },
    },
  },
  pollQueueEntry: {
    method: 'get',
    path: '/api/v1/queues/{performanceId}/entries/me',
    tags: ['Waiting room'],
    summary: "Poll the caller's entry",
    description:
      "Poll again after `pollAfterMs`. Polls have their own, larger rate budget. A waiting fan who\ndoes not poll again within `pollAfterMs` plus a grace period loses the place (`EXPIRED`,\n`reason: ABANDONED`). When the waiting room is closed or sold out, a waiting fan's poll\nanswers 200 `EXPIRED` with that `reason`.",
    request: { params: performanceIdParams },
    responses: {
      200: { description: 'The entry', body: QueueEntry },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      404: { shared: 'NotFound', description: '`NOT_IN_QUEUE`, or `QUEUE_NOT_FOUND`' },
      429: { shared: 'TooManyRequests' },
    },
  },
  leaveQueue: {
    method: 'delete',
    path: '/api/v1/queues/{performanceId}/entries/me',
    tags: ['Waiting room'],
    summary: 'Leave the line or free the admission slot',
    request: { params: performanceIdParams },
    responses: {
      204: { description: 'Left' },
      401: { shared: 'Unauthorized' },
    },
  },
  placeOrder: {
    method: 'post',
    path: '/api/v1/orders',
    tags: ['Booking'],
    summary: 'Hold seats and create an order',
    description:
      'Needs `X-Queue-Token`: the admission token for the performance the schedule belongs to\n(`aud`), issued to the caller (`sub`), unexpired. The gateway checks it locally.\nMissing: 403 `QUEUE_TOKEN_REQUIRED`; anything wrong with it: 403 `QUEUE_TOKEN_INVALID`.',
    queueToken: true,
    request: { headers: idempotencyHeaders, body: NewOrder },
    responses: {
      201: { description: 'The order, seats held until `expiresAt`', body: Order },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      403: { shared: 'Forbidden' },
      404: { shared: 'NotFound', description: '`SCHEDULE_NOT_FOUND`' },
      409: { shared: 'Conflict', description: '`SEAT_UNAVAILABLE` (names the seats), or a duplicate request still in flight' },
      413: { shared: 'PayloadTooLarge' },
      422: { description: '`IDEMPOTENCY_KEY_REUSED`: that `Idempotency-Key` was used for a different request', body: Problem },
      503: { shared: 'Unavailable', description: '`TOKEN_KEYS_UNAVAILABLE` or `SERVICE_BUSY` (with `Retry-After`)' },
    },
  },
  listOrders: {
    method: 'get',
    path: '/api/v1/orders',
    tags: ['Booking'],
    summary: "The caller's orders",
    request: { query: pageQuery },
    responses: {
      200: { description: 'A page of orders', body: OrderPage },
      400: { shared: 'BadRequest', description: '`VALIDATION_FAILED`: `limit` out of range or a `cursor` this API did not return' },
      401: { shared: 'Unauthorized' },
    },
  },
  getOrder: {
    method: 'get',
    path: '/api/v1/orders/{orderId}',
    tags: ['Booking'],
    summary: "One of the caller's orders",
    request: { params: orderIdParams },
    responses: {
      200: { description: 'The order', body: Order },
      400: { shared: 'BadRequest', description: '`VALIDATION_FAILED`: `orderId` is not a UUID' },
      401: { shared: 'Unauthorized' },
      404: { shared: 'NotFound' },
    },
  },
  cancelOrder: {
    method: 'delete',
    path: '/api/v1/orders/{orderId}',
    tags: ['Booking'],
    summary: 'Cancel an order while it awaits payment',
    description: 'Releases the seats. Needs no admission token, so a fan whose window closed can still let go of a hold.',
    request: { params: orderIdParams },
    responses: {
      200: { description: 'The cancelled order', body: Order },
      400: { shared: 'BadRequest', description: '`VALIDATION_FAILED`: `orderId` is not a UUID' },
      401: { shared: 'Unauthorized' },
      404: { shared: 'NotFound' },
      409: { shared: 'Conflict' },
    },
  },
  refundOrder: {
    method: 'post',
    path: '/api/v1/orders/{orderId}/refund',
    tags: ['Booking'],
    summary: 'Refund a confirmed order (ADMIN)',
    description:
      "Any fan's order, as long as it is `CONFIRMED` and paid. Asks payment for the refund\n(`order.refund-requested`) and answers 202 with the order as it is now, still `CONFIRMED`;\nonce payment has refunded it the order becomes `REFUNDED` and its seats `AVAILABLE`\n(poll `GET /api/v1/orders/{orderId}` as its owner, or watch the events). The body is\noptional. Accepts `Idempotency-Key` (same key, same admin, same request ⇒ the stored 202);\nwithout one, each call asks payment again.",
    request: { params: orderIdParams, headers: idempotencyHeaders, body: RefundRequest, bodyOptional: true },
    responses: {
      202: { description: 'Refund requested; the order as it is now', body: Order },
      400: {
        shared: 'BadRequest',
        description: '`VALIDATION_FAILED` (unknown fields are refused), `MALFORMED_JSON`, `IDEMPOTENCY_KEY_INVALID`',
      },
      401: { shared: 'Unauthorized' },
      403: { shared: 'Forbidden', description: '`ADMIN_ONLY`' },
      404: { shared: 'NotFound', description: '`ORDER_NOT_FOUND`' },
      409: {
        shared: 'Conflict',
        description:
          '`ORDER_NOT_REFUNDABLE` (the order is not `CONFIRMED`; `status` names its state), or `IDEMPOTENCY_KEY_IN_USE` (a request with that key still running, with `Retry-After`)',
      },
      413: { shared: 'PayloadTooLarge' },
      422: { description: '`IDEMPOTENCY_KEY_REUSED`: that `Idempotency-Key` was used for a different request', body: Problem },
    },
  },
  createPayment: {
    method: 'post',
    path: '/api/v1/payments',
    tags: ['Payment'],
    summary: 'Pay for an order',
    description:
      'The simulated provider: card `4242424242424242` succeeds, `4000000000000002` is declined, any\nother well-formed number succeeds after a short delay. Once a payment has `SUCCEEDED` the\norder reaches `CONFIRMED` within 2 seconds.',
    request: { headers: idempotencyHeaders, body: NewPayment },
    responses: {
      201: { description: 'The payment', body: Payment },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      404: { shared: 'NotFound' },
      409: { shared: 'Conflict' },
      413: { shared: 'PayloadTooLarge' },
      422: { description: '`IDEMPOTENCY_KEY_REUSED`: that `Idempotency-Key` was used for a different request', body: Problem },
      503: { shared: 'Unavailable', description: '`PAYMENT_PROVIDER_UNAVAILABLE` (with `Retry-After`): nothing was charged; try again' },
    },
  },
  getPayment: {
    method: 'get',
    path: '/api/v1/payments/{paymentId}',
    tags: ['Payment'],
    summary: "One of the caller's payments",
    request: { params: paymentIdParams },
    responses: {
      200: { description: 'The payment', body: Payment },
      400: { shared: 'BadRequest', description: '`VALIDATION_FAILED`: `paymentId` is not a UUID' },
      401: { shared: 'Unauthorized' },
      404: { shared: 'NotFound' },
    },
  },
  sendTelemetry: {
    method: 'post',
    path: '/api/v1/rum',
    tags: ['Platform'],
    summary: 'Real-user telemetry from the web pages (Grafana Faro payloads)',
    description:
      'Items are counted by kind in `ticketping_faro_events_total`. Any content type is read as JSON (sendBeacon sends text/plain).',
    public: true,
    request: { body: FaroPayload },
    responses: {
      202: { description: 'Accepted' },
      400: { shared: 'BadRequest' },
      413: { shared: 'PayloadTooLarge' },
      429: { shared: 'TooManyRequests' },
    },
  },
  getOpenApi: {
    method: 'get',
    path: '/api/v1/openapi.yaml',
    tags: ['Platform'],
    summary: 'This document',
    public: true,
    responses: {
      200: { description: 'OpenAPI 3.1', body: OpenApiText },
    },
  },
} as const satisfies Record<string, Route>;

export type RouteId = keyof typeof ROUTES;
