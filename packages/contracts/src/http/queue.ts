import { z } from 'zod';
import { LIMITS } from '../limits.ts';
import { AccessCodeLane, AccessCodeText } from './access-codes.ts';
import { dateTime, uuid } from './common.ts';

const count = z.number().int().min(1).max(LIMITS.queueCount);
const QueueStateSetting = z.enum(['OPEN', 'PAUSED', 'CLOSED']);

/** The waiting room's settings as a performance carries them. */
export const QueueSettings = z
  .object({ capacity: z.number().int().min(1), admitPerMinute: z.number().int().min(1), state: QueueStateSetting })
  .partial()
  .meta({ id: 'QueueSettings' });

export const QueueSettingsChange = z
  .object({
    capacity: count.optional(),
    admitPerMinute: count.optional(),
    state: QueueStateSetting.optional(),
    maxLine: count
      .nullable()
      .optional()
      .meta({ description: 'An explicit line limit; null goes back to the default (`QUEUE_MAX_LINE_FACTOR`, 2 by default, × the seats still available).' }),
    proofOfWorkMaxNumber: z
      .number()
      .int()
      .min(0)
      .max(LIMITS.proofOfWorkMaxNumber)
      .nullable()
      .optional()
      .meta({
        description:
          'The proof-of-work difficulty of an entry (ALTCHA `maxnumber`: a solver tries about half of it on average); 0 turns proof-of-work off for this performance, null goes back to the default (`QUEUE_POW_MAX_NUMBER`). Challenges issued from then on use it.',
      }),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'give at least one of capacity, admitPerMinute, state, maxLine, proofOfWorkMaxNumber' })
  .meta({ id: 'QueueSettingsChange', description: 'Name at least one field; unknown fields are refused.' });

export const QueueDraw = z
  .object({
    commitment: z.string().nullable().meta({
      description: 'SHA-256 of the seed, lower-case hex, public from the start so the seed cannot be swapped afterwards.',
      examples: ['9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'],
    }),
    seed: z.string().nullable().meta({ description: 'The random seed (32 hex digits), secret until the open, then published; null before.', examples: ['5f1d3c0a9b8e7d6c5b4a39281706f5e4'] }),
    preQueued: z.number().int().meta({ description: 'Fans who were in the pre-queue at the open; 0 before the open.' }),
    algorithm: z.string().meta({
      description:
        'How the order is computed from the seed, as text: by ascending integer value of the first 13 hex digits (52 bits) of SHA-1(seed + ":" + userId), ties by userId bytes; the commitment is SHA-256(seed). A fan\'s value depends only on the seed and the account, so leaving and entering again cannot re-roll it.',
      examples: ['order by the integer of the first 13 hex digits of SHA-1(seed + ":" + userId), ties by userId bytes; commitment = SHA-256(seed)'],
    }),
  })
  .meta({ id: 'QueueDraw' });

export const QueueState = z.enum(['OPEN', 'PAUSED', 'CLOSED', 'SOLD_OUT']);

export const Queue = z
  .object({
    performanceId: uuid(),
    waiting: z.number().int().meta({ description: 'Fans in the line, pre-queued ones included' }),
    active: z.number().int().meta({ description: 'Admitted fans whose active window is still running' }),
    capacity: z.number().int(),
    admitPerMinute: z.number().int(),
    state: QueueState,
    admitRatePerMinute: z.number().meta({
      description: 'Admissions measured over the last minute (over the time since the open, when shorter), to two decimals, as of the last admission tick; 0 until anything was measured.',
    }),
    etaSeconds: z.number().int().meta({
      description: 'How long the last fan in the line waits, as of the last admission tick: ceil(waiting × 60 / rate), rate being `admitRatePerMinute` or, before anything was measured, `admitPerMinute`. 0 until the first tick.',
    }),
    maxLine: z.number().int().nullable().meta({
      description: 'The explicit line limit set by an administrator; null when the default applies (`QUEUE_MAX_LINE_FACTOR`, 2 by default, × the seats still available; no limit when the factor is 0 or the number of seats is unknown). Entering a full line is 503 `QUEUE_FULL`.',
    }),
    opensAt: dateTime().nullable().meta({ description: 'The scheduled open (the performance\'s `bookingOpensAt`); null when the waiting room opened at once. Entries before it wait in the pre-queue.' }),
    closesAt: dateTime().nullable().meta({ description: 'When the waiting room closes itself (the performance\'s `bookingClosesAt`); null when it never does.' }),
    requireVerifiedEmail: z.boolean().meta({
      description: 'Only accounts with a confirmed e-mail address may enter (the performance asks for it); others get 403 `EMAIL_NOT_VERIFIED`.',
    }),
    proofOfWorkMaxNumber: z.number().int().meta({
      description: "The entry's base proof-of-work difficulty (ALTCHA `maxnumber`); 0 when proof-of-work is off. A busy address range is given more (see `POST …/challenge`).",
    }),
    draw: QueueDraw.nullable().meta({
      description: 'The pre-queue draw of a scheduled open, published so anyone can check it; null when the waiting room has no scheduled open. Before the open only `commitment` is known; from the open `seed` is published and the order can be recomputed from it.',
    }),
  })
  .meta({ id: 'Queue' });

export const QueueEntryStatus = z.enum(['WAITING', 'ADMITTED', 'EXPIRED']);
export const QueueEntryReason = z.enum(['PRE_QUEUE', 'EXPIRED', 'ABANDONED', 'ABSENT', 'SOLD_OUT', 'QUEUE_CLOSED']);

export const QueueOdds = z
  .object({
    outlook: z.enum(['LIKELY', 'UNCERTAIN', 'UNLIKELY', 'NONE']).meta({
      description:
        'Whether seats are likely to be left when the fan reaches the front. With `need` = (`peopleAhead` × `orderShare` + 1) × `seatsPerOrder`: `NONE` when `seatsLeft` is 0, `LIKELY` when `seatsLeft` ≥ 1.25 × `need`, `UNLIKELY` when `seatsLeft` < 0.75 × `need`, `UNCERTAIN` in between.',
    }),
    seatsLeft: z.number().int().meta({ description: 'Seats not in a live or paid order, over every schedule.' }),
    peopleAhead: z.number().int().meta({ description: 'Fans who reach booking first: the people ahead in line plus those choosing seats now.' }),
    seatsPerOrder: z.number().meta({ description: 'Seats per order so far (two decimals); before the first order, the performance\'s `maxSeatsPerOrder` (the worst case).' }),
    seatsPerOrderMeasured: z.boolean().meta({ description: 'False while `seatsPerOrder` is the assumed worst case.' }),
    orderShare: z.number().meta({ description: 'Share of admitted fans who placed an order so far (two decimals); 1 until 20 fans were admitted.' }),
    expectedSeatsBeforeYou: z.number().int().meta({ description: 'ceil(`peopleAhead` × `orderShare` × `seatsPerOrder`).' }),
    asOf: dateTime().nullable().meta({ description: 'When the figures were refreshed (the admission tick; null before the first).' }),
  })
  .meta({ id: 'QueueOdds', description: 'An estimate, published with the figures it is built from; refreshed on every admission tick.' });

export const QueueEntry = z
  .object({
    performanceId: uuid(),
    status: QueueEntryStatus,
    position: z.number().int().nullable().meta({ description: '1-based while waiting' }),
    ahead: z.number().int().nullable().meta({ description: 'People in front' }),
    etaSeconds: z.number().int().nullable(),
    pollAfterMs: z.number().int(),
    queueToken: z.string().nullable().meta({ description: 'Set only when ADMITTED; send it as X-Queue-Token' }),
    expiresAt: dateTime().nullable(),
    reason: QueueEntryReason.nullable().meta({
      description:
        '`PRE_QUEUE` while WAITING for a scheduled open (the place is decided by the draw at `opensAt`); why an entry is EXPIRED: `EXPIRED` (the active window ran out), `ABANDONED` (stopped polling, or never claimed the admission), `ABSENT` (pre-queued but did not poll in the last minutes before the open, `QUEUE_PRESENCE_WINDOW_SECONDS`), `SOLD_OUT`, `QUEUE_CLOSED`. Null otherwise.',
    }),
    opensAt: dateTime().nullable().meta({ description: 'The waiting room\'s scheduled open, in every state; null when it opened at once. While pre-queued, `etaSeconds` includes the time until it.' }),
    lane: AccessCodeLane.nullable().meta({ description: 'The access-code lane the fan waits in; null in the general line.' }),
    odds: QueueOdds.nullable().meta({ description: 'While WAITING, when the number of seats is known; null otherwise.' }),
  })
  .meta({ id: 'QueueEntry' });

const hex = (what: string) => z.string().regex(/^[0-9a-f]{64}$/, `${what}: 64 lower-case hex digits`);

/** The server's half of the entry's proof-of-work (an ALTCHA v1 challenge). */
export const ProofOfWorkChallenge = z
  .object({
    required: z.boolean().meta({ description: 'false when proof-of-work is off for this performance: the entry is accepted without `proofOfWork` (a solution of this challenge is accepted too).' }),
    algorithm: z.literal('SHA-256'),
    challenge: hex('challenge').meta({ description: 'SHA-256(salt + number), hex: find the number.' }),
    maxnumber: z.number().int().min(1).meta({ description: 'The number is at most this: the difficulty (a solver tries about half of it on average).' }),
    salt: z.string().meta({
      description: 'Random hex, then `?` and the signed parameters: the performance (`p`), the account (`u`) and the expiry (`expires`, epoch seconds), ending in `&`. Hash it exactly as given.',
      examples: ['4b1f0c9d2e7a8b3c5d6e7f80?p=6f1c…&u=0b7e…&expires=1797000000&'],
    }),
    signature: hex('signature').meta({ description: 'HMAC-SHA-256 of `challenge` under the server\'s key: proves the server issued it.' }),
    expiresAt: dateTime().meta({ description: 'Send the solution before this; later it is 403 `PROOF_OF_WORK_EXPIRED`.' }),
  })
  .meta({ id: 'ProofOfWorkChallenge' });

/** The client's half: the challenge as received, plus the number found. */
export const ProofOfWorkSolution = z
  .object({
    algorithm: z.literal('SHA-256'),
    challenge: hex('challenge'),
    number: z.number().int().min(0).max(LIMITS.proofOfWorkMaxNumber),
    salt: z.string().max(512),
    signature: hex('signature'),
  })
  .strict()
  .meta({ id: 'ProofOfWorkSolution' });

/** The body of `POST /api/v1/queues/{performanceId}/entries`; optional. Unknown fields are ignored. */
export const QueueEntryRequest = z
  .object({
    proofOfWork: ProofOfWorkSolution.optional().meta({
      description: 'The solved challenge of `POST /api/v1/queues/{performanceId}/challenge`; required unless that challenge said `required: false`.',
    }),
    accessCode: AccessCodeText.optional().meta({
      description: 'A presale access code: the fan enters the code\'s lane (see `AccessCodeLane`) instead of the general line. Unknown: 403 `ACCESS_CODE_INVALID`; used up: 409 `ACCESS_CODE_USED_UP`; outside its window: 409 `ACCESS_CODE_OUTSIDE_WINDOW`.',
    }),
  })
  .meta({ id: 'QueueEntryRequest' });

/** Internal: a waiting room's settings as performance.published carries them, so an operator can create one when catalog's event cannot reach the queue. */
export const NewQueue = z
  .object({
    capacity: count,
    admitPerMinute: count,
    opensAt: z.iso.datetime().optional(),
    closesAt: z.iso.datetime().optional(),
    totalSeats: z.number().int().min(0).optional(),
    maxSeatsPerOrder: z.number().int().min(1).optional(),
    requireVerifiedEmail: z.boolean().optional(),
  })
  .strict();

/**
 * Internal: the queue-scaler's admission rate for one queue. It sits beside the admin's
 * `admitPerMinute`, which it never changes: the queue admits at the lower of the two, and only
 * until the rate's time to live runs out (an operator that stops renewing hands back to the admin's).
 */
export const OperatorRate = z
  .object({
    admitPerMinute: count,
    ttlSeconds: z.number().int().min(1).max(3600),
  })
  .strict();

export const OperatorRateAnswer = z.object({
  performanceId: z.string(),
  /** The admin's setting, a ceiling. */
  admitPerMinute: z.number().int(),
  operatorAdmitPerMinute: z.number().int(),
  /** min(admitPerMinute, operatorAdmitPerMinute): what the next ticks admit at. */
  effectiveAdmitPerMinute: z.number().int(),
  expiresAt: z.iso.datetime(),
});

/** Internal: the gateway's status polls of one event-loop turn, in one request. */
export const StatusPolls = z
  .object({
    // each item is checked on its own, as its own request would be: one bad poll spoils no other
    polls: z.array(z.object({ performanceId: z.string(), userId: z.string() }).strict()).min(1).max(LIMITS.statusPollsPerBatch),
  })
  .strict();

export type Queue = z.infer<typeof Queue>;
export type QueueEntry = z.infer<typeof QueueEntry>;
export type QueueOdds = z.infer<typeof QueueOdds>;
export type QueueEntryStatus = z.infer<typeof QueueEntryStatus>;
export type QueueSettingsChange = z.input<typeof QueueSettingsChange>;
export type ProofOfWorkChallenge = z.infer<typeof ProofOfWorkChallenge>;
export type ProofOfWorkSolution = z.infer<typeof ProofOfWorkSolution>;
export type QueueEntryRequest = z.input<typeof QueueEntryRequest>;
export type StatusPollsBody = z.input<typeof StatusPolls>;
export type OperatorRateBody = z.input<typeof OperatorRate>;
export type OperatorRateAnswer = z.infer<typeof OperatorRateAnswer>;

export const queueTimelineQuery = z.object({
  minutes: z.coerce.number().int().min(1).max(1440).default(60).meta({ description: 'How far back from now' }),
});

/** One sample a minute, written by one replica: an organiser who opens the page mid-sale sees the sale so far. */
export const QueueTimeline = z
  .object({
    performanceId: uuid(),
    from: dateTime(),
    to: dateTime(),
    samples: z.array(z.object({
      minute: dateTime().meta({ description: 'Start of the minute (UTC) the sample was taken in' }),
      waiting: z.number().int().meta({ description: 'Fans in the line when the sample was taken' }),
      admitted: z.number().int().meta({ description: 'Fans admitted since the previous sample (0 for the first one kept)' }),
    })),
  })
  .meta({ id: 'QueueTimeline' });
export type QueueTimeline = z.infer<typeof QueueTimeline>;
