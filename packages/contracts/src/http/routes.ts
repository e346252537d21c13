import { z } from 'zod';
import { AccessCode, AccessCodeList, accessCodeParams, AccessCodeUses, NewAccessCode } from './access-codes.ts';
import { Credentials, EmailVerification, EmailVerified, Profile, RefreshRequest, SignUp, TokenPair, User, userIdParams } from './auth.ts';
import { NewOrder, Order, OrderPage, RefundRequest, SalesTimeline, salesTimelineQuery } from './booking.ts';
import { NewPerformance, Performance, PerformanceChange, PerformancePage, Schedule, SeatMap } from './catalog.ts';
import { idempotencyHeaders, orderIdParams, pageQuery, paymentIdParams, performanceIdParams, Problem, scheduleIdParams } from './common.ts';
import { NewPayment, Payment } from './payment.ts';
import { FaroPayload, OpenApiText, Redrive, RedriveRequest } from './platform.ts';
import { ProofOfWorkChallenge, Queue, QueueEntry, QueueEntryRequest, QueueSettingsChange, QueueTimeline, queueTimelineQuery } from './queue.ts';
import {
  CheckInPage, CheckInTimeline, CodeModeChange, cursorQuery, DuplicateList, duplicatesQuery, timelineQuery, Jwks, qrQuery, RevocationPage, ScanBatch, ScannerBundle, ScanResults,
  StaffGranted, StaffGrantRequest, StaffList, staffParams, Ticket, ticketIdParams, TicketList, ticketListQuery, TransferRequest, Transferred,
} from './tickets.ts';
import { NewReturn, returnIdParams, ReturnQuote, returnTicketParams, TicketReturn, TicketReturnList } from './returns.ts';
import { NewWaitlistEntry, offerIdParams, WaitlistEntry, WaitlistOfferList, WaitlistStats } from './waitlist.ts';

/** Problem answers described once in docs/openapi.yaml (components.responses) and shared by routes. */
export type SharedResponse =
  'BadRequest' | 'Unauthorized' | 'Forbidden' | 'NotFound' | 'Conflict' | 'PayloadTooLarge' | 'TooManyRequests' | 'Unavailable';

/** `media`: a body that is not JSON (an image, a calendar file), by content type. */
export type RouteResponse =
  | { description: string; body?: z.ZodType; media?: never; shared?: never }
  | { description: string; media: Readonly<Record<string, z.ZodType>>; body?: never; shared?: never }
  | { shared: SharedResponse; description?: string; body?: never; media?: never };

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
    description:
      'Always creates a `USER`; any `role` in the body is ignored. Administrators come from configuration only.\nA verification mail with a link (and its code) goes to the address; until it is followed\n(`POST /api/v1/users/verification`) the account cannot enter waiting rooms that ask for a\nconfirmed address (403 `EMAIL_NOT_VERIFIED`).',
    public: true,
    request: { body: SignUp },
    responses: {
      201: { description: 'Created', body: User },
      400: { shared: 'BadRequest' },
      409: { shared: 'Conflict', description: '`EMAIL_TAKEN`' },
      413: { shared: 'PayloadTooLarge' },
      429: {
        shared: 'TooManyRequests',
        description: '`RATE_LIMITED`, or `SIGNUP_CAP_REACHED`: too many sign-ups from this client address or its /24 (IPv4) or /64 (IPv6) in the cap window',
      },
      503: { shared: 'Unavailable', description: '`AUTH_BUSY`: password hashing is at its budget; nothing was created, send again after `Retry-After`' },
    },
  },
  logIn: {
    method: 'post',
    path: '/api/v1/auth/login',
    tags: ['Identity'],
    summary: 'Log in',
    description:
      'An unknown email and a wrong password get the same 401 `INVALID_CREDENTIALS` in similar time.\nFailed attempts are throttled per account (known or not) from one address range (/24 IPv4,\n/64 IPv6), per client address and per range: 429 `LOGIN_THROTTLED`. Guesses from elsewhere\nnever lock the owner out. 503 `AUTH_BUSY` (with `Retry-After`) when password hashing is at\nits budget: the password was not checked and the attempt is not counted; send again.',
    public: true,
    request: { body: Credentials },
    responses: {
      200: { description: 'Tokens', body: TokenPair },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      429: { shared: 'TooManyRequests' },
      503: { shared: 'Unavailable', description: '`AUTH_BUSY`' },
    },
  },
  refreshTokens: {
    method: 'post',
    path: '/api/v1/auth/refresh',
    tags: ['Identity'],
    summary: 'Rotate the refresh token',
    description:
      'Each refresh token works once and is replaced. Presenting one that was already used is\n401 `REFRESH_TOKEN_REUSED` and revokes every token of that login (the family). One\nexception, for a response lost on the way: the same refresh token again within a short grace\n(`REFRESH_RETRY_GRACE_SECONDS`, 30 s), while the pair it was exchanged for is still unused,\nanswers that same pair again.\nUnknown, expired or revoked: 401 `INVALID_REFRESH_TOKEN`.',
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
  verifyEmail: {
    method: 'post',
    path: '/api/v1/users/verification',
    tags: ['Identity'],
    summary: 'Confirm the e-mail address',
    description:
      'The token comes from the link in the verification mail (valid `EMAIL_VERIFY_TTL_SECONDS`, 48 h;\neach resend adds a new one). No login needed: the link may be opened on another device.\nAccess tokens issued from then on carry the confirmed address (`ev` claim); a client that\nis logged in refreshes its tokens after this call. A token works once.',
    public: true,
    request: { body: EmailVerification },
    responses: {
      200: { description: 'The address is confirmed', body: EmailVerified },
      400: { shared: 'BadRequest', description: '`VERIFICATION_INVALID`: unknown, used or expired; ask for a new mail' },
    },
  },
  resendVerificationMail: {
    method: 'post',
    path: '/api/v1/users/me/verification-mail',
    tags: ['Identity'],
    summary: 'Send the verification mail again',
    description:
      'At most one mail per `EMAIL_VERIFY_RESEND_SECONDS` (60 s) and `EMAIL_VERIFY_MAX_PER_DAY` (5) per\naccount: 429 `VERIFICATION_MAIL_LIMITED` with `Retry-After`. 204 when the address is\nalready confirmed (nothing is sent).',
    request: {},
    responses: {
      202: { description: 'A mail is on its way' },
      204: { description: 'Already confirmed' },
      401: { shared: 'Unauthorized' },
      429: { shared: 'TooManyRequests', description: '`VERIFICATION_MAIL_LIMITED`' },
    },
  },
  verifyEmailAsAdmin: {
    method: 'post',
    path: '/api/v1/users/{userId}/verification',
    tags: ['Identity'],
    summary: "Confirm an account's address (admin)",
    description: "Support staff confirm an address they checked another way (and load tests their fans'). ADMIN only.",
    request: { params: userIdParams },
    responses: {
      200: { description: 'The address is confirmed', body: EmailVerified },
      401: { shared: 'Unauthorized' },
      403: { shared: 'Forbidden', description: '`ADMIN_ONLY`' },
      404: { shared: 'NotFound', description: '`USER_NOT_FOUND`' },
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
  createAccessCode: {
    method: 'post',
    path: '/api/v1/performances/{performanceId}/access-codes',
    tags: ['Catalog'],
    summary: 'Create a presale access code (ADMIN)',
    description:
      'A code opens a lane of the waiting room (`lane`) to up to `maxUses` fans between `validFrom`\nand `validUntil` (the window limits new uses: a fan who used the code keeps its lane when\nentering again later). Fans send it as `accessCode` when they enter. Codes are compared without\nregard to case and kept upper-case; without `code` a random 12-character one is made.',
    request: { params: performanceIdParams, body: NewAccessCode },
    responses: {
      201: { description: 'Created', body: AccessCode },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      403: { shared: 'Forbidden', description: '`ADMIN_ONLY`' },
      404: { shared: 'NotFound', description: '`PERFORMANCE_NOT_FOUND`' },
      409: { shared: 'Conflict', description: '`ACCESS_CODE_EXISTS`: the performance has this code already' },
    },
  },
  listAccessCodes: {
    method: 'get',
    path: '/api/v1/performances/{performanceId}/access-codes',
    tags: ['Catalog'],
    summary: "A performance's access codes with their use counts (ADMIN)",
    request: { params: performanceIdParams },
    responses: {
      200: { description: 'Codes, oldest first', body: AccessCodeList },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      403: { shared: 'Forbidden', description: '`ADMIN_ONLY`' },
      404: { shared: 'NotFound', description: '`PERFORMANCE_NOT_FOUND`' },
    },
  },
  listAccessCodeUses: {
    method: 'get',
    path: '/api/v1/performances/{performanceId}/access-codes/{codeId}/uses',
    tags: ['Catalog'],
    summary: 'Who used an access code, and when (ADMIN)',
    request: { params: accessCodeParams },
    responses: {
      200: { description: 'The code and its uses', body: AccessCodeUses },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      403: { shared: 'Forbidden', description: '`ADMIN_ONLY`' },
      404: { shared: 'NotFound', description: '`ACCESS_CODE_NOT_FOUND`' },
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
  queueTimeline: {
    method: 'get',
    path: '/api/v1/queues/{performanceId}/timeline',
    tags: ['Waiting room'],
    summary: 'Waiting fans and admissions per minute over the sale (ADMIN)',
    description:
      "The organiser's chart of the waiting room: one sample a minute (fans waiting, fans admitted\nsince the previous sample), kept in Redis for about a day, over the last `minutes`. Minutes\nwithout a sample (no replica running, or before the waiting room existed) are left out.",
    request: { params: performanceIdParams, query: queueTimelineQuery },
    responses: {
      200: { description: 'Samples, oldest first', body: QueueTimeline },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      403: { shared: 'Forbidden', description: '`ADMIN_ONLY`' },
      503: { shared: 'Unavailable' },
    },
  },
  configureQueue: {
    method: 'patch',
    path: '/api/v1/queues/{performanceId}',
    tags: ['Waiting room'],
    summary: 'Configure the waiting room (ADMIN)',
    description:
      'Any of `capacity`, `admitPerMinute`, `state`, `maxLine`, `proofOfWorkMaxNumber`; unknown fields and an empty body are\n400 `VALIDATION_FAILED`. Takes effect at the next admission tick (at once when `state`\nbecomes `OPEN` or `capacity` / `admitPerMinute` change). `state: OPEN` also reopens a\n`SOLD_OUT` or `CLOSED` waiting room; after `closesAt` the next tick closes it again.',
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
  queueChallenge: {
    method: 'post',
    path: '/api/v1/queues/{performanceId}/challenge',
    tags: ['Waiting room'],
    summary: 'A proof-of-work challenge for entering',
    description:
      'Step 1 of entering. The challenge is an ALTCHA (v1, SHA-256) challenge bound to the caller,\nthis performance and a short expiry, signed by the waiting room. Solve it: find `number`\n(0 ≤ number ≤ `maxnumber`) with SHA-256(`salt` + number) = `challenge` (hex; the number in\ndecimal), then send `{ proofOfWork: { algorithm, challenge, number, salt, signature } }` with\n`POST …/entries`. One solution enters once; a new entry (after leaving, or a retry after a\nlost answer) needs a new challenge. The difficulty is the performance\'s\n(`proofOfWorkMaxNumber`), doubled for each step of entries recently begun from the caller\'s\naddress range (/24 for IPv4, /64 for IPv6), up to a bound.',
    request: { params: performanceIdParams },
    responses: {
      200: { description: 'The challenge', body: ProofOfWorkChallenge },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      403: { shared: 'Forbidden', description: '`EMAIL_NOT_VERIFIED`: the waiting room admits only confirmed addresses (`Queue.requireVerifiedEmail`), so no proof is handed out to an account it would refuse' },
      404: { shared: 'NotFound', description: '`QUEUE_NOT_FOUND`' },
      429: { shared: 'TooManyRequests' },
      503: { shared: 'Unavailable', description: '`QUEUE_UNAVAILABLE` (`Retry-After: 2`)' },
    },
  },
  enterQueue: {
    method: 'post',
    path: '/api/v1/queues/{performanceId}/entries',
    tags: ['Waiting room'],
    summary: 'Enter the waiting room',
    description:
      'Entering twice returns the same entry. Before a scheduled open (`opensAt`) the entry waits\nin the pre-queue (`reason: PRE_QUEUE`); at the open the pre-queue joins the line in draw\norder (see `Queue.draw`), ahead of everyone who enters after the open.\nPresence: a pre-queued fan must poll (or enter) within the last `QUEUE_PRESENCE_WINDOW_SECONDS`\n(180) before the open, as `pollAfterMs` asks, or is dropped at the open (`EXPIRED`, `reason:\nABSENT`); from the start of that window the line limit counts only the pre-queued fans seen in it.\n\nWith `accessCode` the fan enters the code\'s lane instead (`lane` in the entry): `PRESALE`\nholders are admitted even before `opensAt`, `PRIORITY` holders ahead of the general line from\nthe open. A fan already in the general line moves to the lane. A code is used once per fan\n(entering again with it counts nothing); lane entries are not refused by the line limit (they\nare still refused `EMAIL_NOT_VERIFIED` where the sale asks for confirmed addresses).\n\n' +
      '**Proof-of-work.** The body carries the solved challenge of `POST …/challenge` (unless that\nchallenge said `required: false`), with or without an access code. Missing: 403 `PROOF_OF_WORK_REQUIRED`; not issued by the\nwaiting room, for another account or performance, or a wrong number: 403\n`PROOF_OF_WORK_INVALID`; past its expiry: 403 `PROOF_OF_WORK_EXPIRED`; already used once:\n409 `PROOF_OF_WORK_REPLAYED`. Each time, get a new challenge and solve it. The proof is spent\nbefore the line answers: after any refusal below, enter again with a new one.',
    request: { params: performanceIdParams, body: QueueEntryRequest, bodyOptional: true },
    responses: {
      200: { description: 'The entry', body: QueueEntry },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      403: {
        shared: 'Forbidden',
        description: '`PROOF_OF_WORK_REQUIRED`, `PROOF_OF_WORK_INVALID`, `PROOF_OF_WORK_EXPIRED`; `EMAIL_NOT_VERIFIED`: this waiting room admits only confirmed addresses (`Queue.requireVerifiedEmail`); follow the link in the verification mail, refresh the tokens and enter again. `ACCESS_CODE_INVALID`: no such access code for this performance',
      },
      404: { shared: 'NotFound', description: '`QUEUE_NOT_FOUND`' },
      409: {
        shared: 'Conflict',
        description: '`SOLD_OUT`, `QUEUE_CLOSED`, or `PROOF_OF_WORK_REPLAYED`; `ACCESS_CODE_USED_UP` (the code has no uses left) or `ACCESS_CODE_OUTSIDE_WINDOW` (before `validFrom` or from `validUntil`, both in the problem)',
      },
      429: {
        shared: 'TooManyRequests',
        description:
          '`RATE_LIMITED`, or `ENTRY_CAP_REACHED`: too many entries to this line from this client address or its /24 (IPv4) or /64 (IPv6) in the cap window',
      },
      503: {
        shared: 'Unavailable',
        description:
          '`QUEUE_FULL` (with `Retry-After`: the time the line needs to shrink below its limit, 5 to\n300 seconds), or a service outage. The limit is `maxLine` when set, otherwise\n`QUEUE_MAX_LINE_FACTOR` (2 by default) × the seats still available.\n`QUEUE_UNAVAILABLE` (`Retry-After: 2`): the waiting room cannot reach its store right now.\n`ACCESS_CODES_UNAVAILABLE` (`Retry-After`): an access code could not be checked right now.',
      },
    },
  },
  pollQueueEntry: {
    method: 'get',
    path: '/api/v1/queues/{performanceId}/entries/me',
    tags: ['Waiting room'],
    summary: "Poll the caller's entry",
    description:
      "Poll again after `pollAfterMs`. Polls have their own, larger rate budget. A waiting fan who\ndoes not poll again within `pollAfterMs` plus a grace period loses the place (`EXPIRED`,\n`reason: ABANDONED`). When the waiting room is closed or sold out, a waiting fan's poll\nanswers 200 `EXPIRED` with that `reason`.\nA waiting room lost with its store is re-created within seconds from the performance's\nsettings, with an empty line: a fan who gets `QUEUE_NOT_FOUND` or `NOT_IN_QUEUE` for a\nperformance on sale enters again.",
    request: { params: performanceIdParams },
    responses: {
      200: { description: 'The entry', body: QueueEntry },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      404: { shared: 'NotFound', description: '`NOT_IN_QUEUE`, or `QUEUE_NOT_FOUND`' },
      429: { shared: 'TooManyRequests' },
      503: {
        shared: 'Unavailable',
        description: '`QUEUE_UNAVAILABLE` (`Retry-After: 2`): the waiting room cannot reach its store right\nnow; the place in line is kept, poll again after `Retry-After`.',
      },
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
      'Needs `X-Queue-Token`: the admission token for the performance the schedule belongs to\n(`aud`), issued to the caller (`sub`), unexpired. The gateway checks it locally.\nMissing: 403 `QUEUE_TOKEN_REQUIRED`; anything wrong with it: 403 `QUEUE_TOKEN_INVALID`.\n\n' +
      '**The token dies with its slot.** An order is created only while the caller holds a live\nadmission slot for that performance, checked when the order is created (one read of the\nwaiting room\'s state). The slot ends, and with it the token\'s power to create orders, when\nthe fan leaves the waiting room (`DELETE …/entries/me`), when an order of theirs for the\nperformance is confirmed or cancelled, and when the active window ends; also when the waiting\nroom\'s state is lost or restored to an earlier moment (only the slots of the current state\ncount, so the fans who can create orders never outnumber the capacity). Such a token is 403\n`QUEUE_TOKEN_INVALID` with `reason: ADMISSION_ENDED`: enter the waiting room again. Orders\nalready created are not affected. When the slot cannot be checked: 503\n`ADMISSION_CHECK_UNAVAILABLE` with `Retry-After`.\n\n' +
      "One admission covers every schedule of its performance; how many seats one fan may hold\nacross them is the performance's per-person limit, not the token's business.",
    queueToken: true,
    request: { headers: idempotencyHeaders, body: NewOrder },
    responses: {
      201: { description: 'The order, seats held until `expiresAt`', body: Order },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      403: { shared: 'Forbidden' },
      404: { shared: 'NotFound', description: '`SCHEDULE_NOT_FOUND`' },
      409: {
        shared: 'Conflict',
        description:
          '`SEAT_UNAVAILABLE` (names the seats); `ACTIVE_ORDER_EXISTS` (one live order per schedule); `PERSON_LIMIT_REACHED` (with `maxSeatsPerPerson` and `seatsHeld`: live orders over every schedule of the performance would pass the per-person limit); or a duplicate request still in flight',
      },
      413: { shared: 'PayloadTooLarge' },
      422: { description: '`IDEMPOTENCY_KEY_REUSED`: that `Idempotency-Key` was used for a different request', body: Problem },
      503: {
        shared: 'Unavailable',
        description: '`ADMISSION_CHECK_UNAVAILABLE`: the admission slot cannot be checked right now; `TOKEN_KEYS_UNAVAILABLE` or `SERVICE_BUSY` (with `Retry-After`)',
      },
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
  joinWaitlist: {
    method: 'post',
    path: '/api/v1/waitlist/{scheduleId}/entries',
    tags: ['Waitlist'],
    summary: "Join a sold-out schedule's waitlist",
    description:
      'One entry per fan and schedule: joining again answers 200 with the same entry. Seats that come\nback (an expired hold, a cancelled or refunded order, a lapsed offer) are offered to the fans\nwaiting, in the order they joined, and never go back on sale while someone waits. Capped per\nclient address like the waiting room entry.',
    request: { params: scheduleIdParams, body: NewWaitlistEntry, bodyOptional: true },
    responses: {
      200: { description: 'Already on it', body: WaitlistEntry },
      201: { description: 'Joined', body: WaitlistEntry },
      400: { shared: 'BadRequest', description: '`VALIDATION_FAILED`, `TOO_MANY_SEATS`' },
      401: { shared: 'Unauthorized' },
      404: { shared: 'NotFound', description: '`SCHEDULE_NOT_FOUND`' },
      409: {
        shared: 'Conflict',
        description: '`SEATS_AVAILABLE` (not sold out: book instead), `PERSON_LIMIT_REACHED`, `ACTIVE_ORDER_EXISTS`, `PERFORMANCE_CANCELLED`, `BOOKING_CLOSED`',
      },
      429: { shared: 'TooManyRequests', description: '`ENTRY_CAP_REACHED`' },
    },
  },
  getWaitlistEntry: {
    method: 'get',
    path: '/api/v1/waitlist/{scheduleId}/entries/me',
    tags: ['Waitlist'],
    summary: "The caller's place on a schedule's waitlist and any open offer",
    request: { params: scheduleIdParams },
    responses: {
      200: { description: 'The latest entry of the caller', body: WaitlistEntry },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      404: { shared: 'NotFound', description: '`NOT_ON_WAITLIST`' },
    },
  },
  leaveWaitlist: {
    method: 'delete',
    path: '/api/v1/waitlist/{scheduleId}/entries/me',
    tags: ['Waitlist'],
    summary: 'Leave a waitlist (an open offer is declined and moves on)',
    request: { params: scheduleIdParams },
    responses: {
      200: { description: 'The entry, now `LEFT`', body: WaitlistEntry },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      404: { shared: 'NotFound', description: '`NOT_ON_WAITLIST`' },
    },
  },
  listWaitlistOffers: {
    method: 'get',
    path: '/api/v1/waitlist/offers',
    tags: ['Waitlist'],
    summary: "The caller's offers, newest first",
    responses: {
      200: { description: 'Offers', body: WaitlistOfferList },
      401: { shared: 'Unauthorized' },
    },
  },
  claimWaitlistOffer: {
    method: 'post',
    path: '/api/v1/waitlist/offers/{offerId}/claim',
    tags: ['Waitlist'],
    summary: 'Claim an open offer: it becomes an order waiting for payment',
    description:
      'The seats pass from the offer to a new `PENDING_PAYMENT` order in one transaction; pay it with\n`POST /api/v1/payments`. No admission token: the offer is the admission. Claiming a claimed\noffer again answers 200 with its order.',
    request: { params: offerIdParams },
    responses: {
      200: { description: 'Claimed before: its order', body: Order },
      201: { description: 'The order', body: Order },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      404: { shared: 'NotFound', description: '`OFFER_NOT_FOUND`' },
      409: { shared: 'Conflict', description: '`OFFER_NOT_OPEN` (lapsed or declined), `PERSON_LIMIT_REACHED`, `ACTIVE_ORDER_EXISTS`' },
    },
  },
  quoteTicketReturn: {
    method: 'get',
    path: '/api/v1/returns/tickets/{ticketId}/quote',
    tags: ['Returns'],
    summary: 'What returning a ticket would pay back (price paid minus the fee)',
    description: 'Shown before the fan confirms. Answers the same refusals a return would, so the page can say why not.',
    request: { params: returnTicketParams },
    responses: {
      200: { description: 'The quote', body: ReturnQuote },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      403: { shared: 'Forbidden', description: '`NOT_TICKET_HOLDER` (the ticket is someone else\'s)' },
      404: { shared: 'NotFound', description: '`TICKET_NOT_FOUND`' },
      409: {
        shared: 'Conflict',
        description: '`ALREADY_RETURNED`, `TICKET_CHECKED_IN`, `TICKET_REVOKED`, `EVENT_OVER` (the date has started or the performance is cancelled), `RETURN_NOT_ALLOWED` (a transferred ticket: the refund would go to the card of someone else)',
      },
    },
  },
  returnTicket: {
    method: 'post',
    path: '/api/v1/returns',
    tags: ['Returns'],
    summary: 'Return a ticket for resale at the price paid',
    description:
      'The seat goes to the schedule\'s waitlist, in order, as any seat that comes back. The ticket\nstays valid until a waitlisted fan\'s order for the seat is confirmed: then it is revoked, the\nbuyer gets a new ticket and `refund` goes back to the card, once. Until then the fan may\nwithdraw it. There is no price field: the resale price is the price paid.',
    request: { body: NewReturn },
    responses: {
      201: { description: 'Listed', body: TicketReturn },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      403: { shared: 'Forbidden', description: '`NOT_TICKET_HOLDER`' },
      404: { shared: 'NotFound', description: '`TICKET_NOT_FOUND`' },
      409: { shared: 'Conflict', description: '`ALREADY_RETURNED`, `TICKET_CHECKED_IN`, `TICKET_REVOKED`, `EVENT_OVER`, `RETURN_NOT_ALLOWED`' },
      413: { shared: 'PayloadTooLarge' },
    },
  },
  listTicketReturns: {
    method: 'get',
    path: '/api/v1/returns',
    tags: ['Returns'],
    summary: "The caller's returns, newest first, with their status",
    responses: {
      200: { description: 'Returns', body: TicketReturnList },
      401: { shared: 'Unauthorized' },
    },
  },
  withdrawTicketReturn: {
    method: 'delete',
    path: '/api/v1/returns/{returnId}',
    tags: ['Returns'],
    summary: 'Withdraw a return that is not sold',
    description: 'Only while no waitlisted fan holds an offer or an order for the seat (`RETURN_NOT_WITHDRAWABLE` otherwise; it may be again once an offer lapses).',
    request: { params: returnIdParams },
    responses: {
      200: { description: 'The return, now `WITHDRAWN`', body: TicketReturn },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      404: { shared: 'NotFound', description: '`RETURN_NOT_FOUND`' },
      409: { shared: 'Conflict', description: '`RETURN_NOT_WITHDRAWABLE` (sold, or offered to a waitlisted fan right now)' },
    },
  },
  getWaitlistStats: {
    method: 'get',
    path: '/api/v1/admin/waitlist',
    tags: ['Waitlist'],
    summary: 'Per schedule: fans waiting and offers by state (ADMIN)',
    responses: {
      200: { description: 'One item per schedule with a waitlist', body: WaitlistStats },
      401: { shared: 'Unauthorized' },
      403: { shared: 'Forbidden', description: '`ADMIN_ONLY`' },
    },
  },
  salesTimeline: {
    method: 'get',
    path: '/api/v1/admin/schedules/{scheduleId}/sales',
    tags: ['Booking'],
    summary: 'Seats sold and held per minute for one date (ADMIN)',
    description:
      "The organiser's chart of a sale, from booking's orders: seats confirmed (by when the order\nwas confirmed) and seats held (by when the order was placed) per minute, over the last\n`minutes`, plus the seats sold before. Minutes with nothing in them are left out.",
    request: { params: scheduleIdParams, query: salesTimelineQuery },
    responses: {
      200: { description: 'Per-minute counts, oldest first', body: SalesTimeline },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      403: { shared: 'Forbidden', description: '`ADMIN_ONLY`' },
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
  getTicketKeys: {
    method: 'get',
    path: '/api/v1/tickets/jwks.json',
    tags: ['Tickets'],
    summary: 'Public keys that sign ticket codes (JWKS)',
    description:
      'Ed25519 public keys, the current one and previous ones, so printed tickets keep verifying\nafter a rotation. Scanners verify codes offline with these (see `TicketCode`).',
    public: true,
    responses: {
      200: { description: 'The key set', body: Jwks },
    },
  },
  listTickets: {
    method: 'get',
    path: '/api/v1/tickets',
    tags: ['Tickets'],
    summary: 'My tickets',
    description: "The caller's tickets, the next show first, each with its seat, date, status and code.",
    request: { query: ticketListQuery },
    responses: {
      200: { description: "The caller's tickets", body: TicketList },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
    },
  },
  getTicket: {
    method: 'get',
    path: '/api/v1/tickets/{ticketId}',
    tags: ['Tickets'],
    summary: 'One of my tickets',
    request: { params: ticketIdParams },
    responses: {
      200: { description: 'The ticket', body: Ticket },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      404: { shared: 'NotFound', description: "`TICKET_NOT_FOUND` (also when it is someone else's)" },
    },
  },
  getTicketQr: {
    method: 'get',
    path: '/api/v1/tickets/{ticketId}/qr',
    tags: ['Tickets'],
    summary: "The ticket's code as a QR image",
    description: 'For a rotating performance, the code of the current 30-second step (a page should make them itself from `code.base` and `code.key`).',
    request: { params: ticketIdParams, query: qrQuery },
    responses: {
      200: { description: 'The QR code', media: { 'image/svg+xml': z.string(), 'image/png': z.string().meta({ format: 'binary' }) } },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      404: { shared: 'NotFound' },
      409: { shared: 'Conflict', description: '`TICKET_REVOKED`: a revoked ticket has no code' },
    },
  },
  getTicketCalendar: {
    method: 'get',
    path: '/api/v1/tickets/{ticketId}/calendar.ics',
    tags: ['Tickets'],
    summary: 'The show as a calendar file (add to calendar)',
    request: { params: ticketIdParams },
    responses: {
      200: { description: "An iCalendar file with one event (its uid is the ticket's, so downloading it again updates it)", media: { 'text/calendar': z.string() } },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      404: { shared: 'NotFound' },
    },
  },
  transferTicket: {
    method: 'post',
    path: '/api/v1/tickets/{ticketId}/transfers',
    tags: ['Tickets'],
    summary: 'Transfer a ticket to another account, by e-mail',
    description:
      "Face value only: the body has no price, and unknown fields are refused. The ticket's version\ngoes up, so the sender's code (and rotating key) stops working at once; the old version joins\nthe revocation list. A ticket may be transferred `TRANSFER_LIMIT` times (2 by default), and\nnot after it was used at the door.",
    request: { params: ticketIdParams, body: TransferRequest },
    responses: {
      201: { description: 'Transferred', body: Transferred },
      400: { shared: 'BadRequest', description: '`VALIDATION_FAILED` (a `price` field, say), `TRANSFER_TO_SELF`' },
      401: { shared: 'Unauthorized' },
      404: { shared: 'NotFound', description: '`TICKET_NOT_FOUND`, `RECIPIENT_NOT_FOUND` (no account has this address)' },
      409: { shared: 'Conflict', description: '`TRANSFER_LIMIT_REACHED`, `TICKET_REVOKED`, `TICKET_CHECKED_IN`' },
      413: { shared: 'PayloadTooLarge' },
      503: { shared: 'Unavailable', description: '`ACCOUNTS_UNAVAILABLE`: accounts cannot be looked up; nothing was transferred' },
    },
  },
  getScannerBundle: {
    method: 'get',
    path: '/api/v1/check-in/performances/{performanceId}',
    tags: ['Check-in'],
    summary: "A scanner's offline bundle for one performance (STAFF of it, or ADMIN)",
    description:
      'Everything a scanner needs to decide offline: the signing keys, the schedules (dates), the\ncode mode and the rotation secret from which it derives each ticket\'s rotating key. Fetch the\nrevocation list next, then sync scans. Keep it private: it lets its holder check codes of\nthis performance.',
    request: { params: performanceIdParams },
    responses: {
      200: { description: 'The bundle', body: ScannerBundle },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      403: { shared: 'Forbidden', description: '`STAFF_ONLY`' },
      404: { shared: 'NotFound', description: '`PERFORMANCE_NOT_FOUND`' },
    },
  },
  setCodeMode: {
    method: 'patch',
    path: '/api/v1/check-in/performances/{performanceId}',
    tags: ['Check-in'],
    summary: 'Choose static or rotating codes for a performance (ADMIN)',
    description: '`ROTATING`: codes change every 30 s and a code older than about a minute is refused; static codes (prints) are refused from then on.',
    request: { params: performanceIdParams, body: CodeModeChange },
    responses: {
      200: { description: 'The updated bundle', body: ScannerBundle },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      403: { shared: 'Forbidden' },
      404: { shared: 'NotFound' },
      413: { shared: 'PayloadTooLarge' },
    },
  },
  listRevocations: {
    method: 'get',
    path: '/api/v1/check-in/performances/{performanceId}/revocations',
    tags: ['Check-in'],
    summary: 'The revocation list since a cursor (STAFF)',
    description:
      'Codes of `ticketId` with a version up to `version` are dead: refunded, cancelled, or replaced\nby a transfer. Pass the `nextCursor` of the previous answer as `since`; `more` says another page is waiting.',
    request: { params: performanceIdParams, query: cursorQuery },
    responses: {
      200: { description: 'Entries after the cursor, oldest first', body: RevocationPage },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      403: { shared: 'Forbidden' },
      404: { shared: 'NotFound' },
    },
  },
  listCheckIns: {
    method: 'get',
    path: '/api/v1/check-in/performances/{performanceId}/check-ins',
    tags: ['Check-in'],
    summary: 'Entries recorded at every gate since a cursor (STAFF)',
    description:
      'What the other gates admitted: an online scanner keeps this list so it refuses a ticket that\nentered elsewhere at once. Pass the `nextCursor` of the previous answer as `since`.',
    request: { params: performanceIdParams, query: cursorQuery },
    responses: {
      200: { description: 'Entries after the cursor, oldest first', body: CheckInPage },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      403: { shared: 'Forbidden' },
      404: { shared: 'NotFound' },
    },
  },
  recordScans: {
    method: 'post',
    path: '/api/v1/check-in/performances/{performanceId}/scans',
    tags: ['Check-in'],
    summary: "Record scans (one online, or a scanner's offline queue) (STAFF)",
    description:
      "Each scan is verified again and answered on its own. A ticket enters once (a database\nconstraint): a later scan of it, from any gate, is a `DUPLICATE` with when and where it\nentered, and is flagged for the organiser. Sending the same `scanId` again gives the same\nanswer. A rotating code is judged at `scannedAt` (never later than the server's clock).",
    request: { params: performanceIdParams, body: ScanBatch },
    responses: {
      200: { description: 'One result per scan, in order', body: ScanResults },
      400: { shared: 'BadRequest', description: '`VALIDATION_FAILED`, `SCAN_ID_REUSED` (a scanId sent before for another ticket)' },
      401: { shared: 'Unauthorized' },
      403: { shared: 'Forbidden' },
      404: { shared: 'NotFound' },
      413: { shared: 'PayloadTooLarge' },
    },
  },
  listDuplicates: {
    method: 'get',
    path: '/api/v1/check-in/performances/{performanceId}/duplicates',
    tags: ['Check-in'],
    summary: 'Flagged double entries, latest first (STAFF)',
    request: { params: performanceIdParams, query: duplicatesQuery },
    responses: {
      200: { description: 'Second scans of tickets that had entered', body: DuplicateList },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      403: { shared: 'Forbidden' },
      404: { shared: 'NotFound' },
    },
  },
  checkInTimeline: {
    method: 'get',
    path: '/api/v1/check-in/performances/{performanceId}/timeline',
    tags: ['Check-in'],
    summary: 'Tickets issued, revoked and checked in per minute, per gate (ADMIN)',
    description:
      "The organiser's charts over a sale and a door: per-minute counts for one date, from the\ntickets service's own tables (tickets.issued_at, revocations.revoked_at, check_ins.scanned_at),\nover the last `minutes`. Minutes with nothing in them are left out.",
    request: { params: performanceIdParams, query: timelineQuery },
    responses: {
      200: { description: 'Per-minute counts, oldest first', body: CheckInTimeline },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      403: { shared: 'Forbidden' },
    },
  },
  listStaff: {
    method: 'get',
    path: '/api/v1/check-in/performances/{performanceId}/staff',
    tags: ['Check-in'],
    summary: 'Who is STAFF of this performance (ADMIN)',
    request: { params: performanceIdParams },
    responses: {
      200: { description: 'The grants', body: StaffList },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      403: { shared: 'Forbidden' },
    },
  },
  grantStaff: {
    method: 'post',
    path: '/api/v1/check-in/performances/{performanceId}/staff',
    tags: ['Check-in'],
    summary: 'Make an account STAFF of this performance, by e-mail (ADMIN)',
    request: { params: performanceIdParams, body: StaffGrantRequest },
    responses: {
      200: { description: 'Was STAFF already', body: StaffGranted },
      201: { description: 'Granted', body: StaffGranted },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      403: { shared: 'Forbidden' },
      404: { shared: 'NotFound', description: '`PERFORMANCE_NOT_FOUND`, `RECIPIENT_NOT_FOUND`' },
      413: { shared: 'PayloadTooLarge' },
      503: { shared: 'Unavailable' },
    },
  },
  revokeStaff: {
    method: 'delete',
    path: '/api/v1/check-in/performances/{performanceId}/staff/{userId}',
    tags: ['Check-in'],
    summary: 'Take STAFF of this performance away (ADMIN)',
    request: { params: staffParams },
    responses: {
      204: { description: 'No longer STAFF of it' },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      403: { shared: 'Forbidden' },
    },
  },
  redriveDeadLetters: {
    method: 'post',
    path: '/api/v1/admin/dead-letters/redrive',
    tags: ['Platform'],
    summary: 'Put dead letters back on their topic (ADMIN)',
    description:
      'Reads `<topic>.dlq` and publishes the matching dead letters back to `topic`, with their event\nid, key and payload unchanged (docs/operations.md, "Redrive dead letters"). Idempotent: every\nconsumer skips an event id its inbox holds, so redriving the same range twice applies nothing\ntwice. `since` (inclusive) and `until` (exclusive) compare with the failure time; `group`\nkeeps the dead letters of one consumer group; `dryRun` only counts. Served by catalog.',
    request: { body: RedriveRequest },
    responses: {
      200: { description: 'What was (or, in a dry run, would be) redriven', body: Redrive },
      400: { shared: 'BadRequest' },
      401: { shared: 'Unauthorized' },
      403: { shared: 'Forbidden', description: '`ADMIN_ONLY`' },
      413: { shared: 'PayloadTooLarge' },
      501: { description: '`REDRIVE_UNSUPPORTED`: this bus keeps no dead letters to redrive', body: Problem },
      503: { shared: 'Unavailable', description: '`BUS_UNAVAILABLE`: the event bus could not complete the redrive; it is safe to try again' },
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
