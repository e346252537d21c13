import { z } from 'zod';
import { dateTime, performanceIdParams, uuid } from './common.ts';

export const ticketIdParams = z.object({ ticketId: uuid().meta({ param: { id: 'TicketId' } }) });
export const staffParams = performanceIdParams.extend({ userId: uuid() });
export const ticketListQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(100) });
export const qrQuery = z.object({ format: z.enum(['svg', 'png']).default('svg') });
/** `since` is the `nextCursor` of the previous page. */
export const cursorQuery = z.object({
  since: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
});
export const duplicatesQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });
export const timelineQuery = z.object({
  scheduleId: uuid().meta({ description: 'The date to chart' }),
  minutes: z.coerce.number().int().min(1).max(10_080).default(1440).meta({ description: 'How far back from now' }),
});

const email = z.string().trim().max(254).pipe(z.email());
/** Face value only: a `price` (or any other field) is refused. */
export const TransferRequest = z.strictObject({ email });
export const StaffGrantRequest = z.strictObject({ email });
export const CodeModeChange = z.strictObject({ codeMode: z.enum(['STATIC', 'ROTATING']) });

const gate = z.string().trim().regex(/^[\w .-]{1,40}$/, 'a gate is 1 to 40 letters, digits, spaces, dots or dashes');
export const ScanBatch = z.strictObject({
  gate,
  deviceId: z.string().trim().min(1).max(80).optional(),
  scans: z
    .array(
      z.strictObject({
        scanId: uuid().meta({ description: 'Made by the scanner, once per scan' }),
        scheduleId: uuid().meta({ description: 'The date this gate admits to' }),
        code: z.string().min(1).max(1000),
        scannedAt: dateTime(),
      }),
    )
    .min(1)
    .max(500),
});

export const Jwks = z
  .object({
    keys: z.array(
      z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string(), kid: z.string(), alg: z.literal('EdDSA').optional(), use: z.literal('sig').optional() }),
    ),
  })
  .meta({ id: 'Jwks' });

export const TicketCode = z
  .discriminatedUnion('mode', [
    z.object({ mode: z.literal('STATIC'), code: z.string() }),
    z.object({
      mode: z.literal('ROTATING'),
      code: z.string().meta({ description: 'The code of the step the answer was made in' }),
      base: z.string().meta({ description: 'The signed part' }),
      key: z.string().meta({ description: "The ticket's rotating key (base64url); private to the holder" }),
      stepSeconds: z.number().int(),
    }),
  ])
  .meta({
    id: 'TicketCode',
    description:
      '`code` is what the QR holds: `TP1.` + base64url of a compact binary payload (format, flags,\nkey id, ticket, schedule, seat, holder, version) and its Ed25519 signature. A rotating code\nappends a 30-second step and an HMAC of it under the ticket\'s key: a page makes the current\ncode from `base` and `key` (services/tickets/src/codes/codes.ts, WebCrypto only, runs in a\nbrowser), so it keeps working without network. Null when the ticket is revoked.',
  });

export const Ticket = z
  .object({
    id: uuid(),
    orderId: uuid(),
    performanceId: uuid(),
    scheduleId: uuid(),
    title: z.string().nullable().optional(),
    startsAt: dateTime().nullable().optional(),
    seat: z.object({ seatId: uuid(), section: z.string().optional(), row: z.number().int().optional(), number: z.number().int().optional(), grade: z.string().optional() }),
    status: z.enum(['VALID', 'REVOKED']),
    revokedReason: z.enum(['ORDER_REFUNDED', 'PERFORMANCE_CANCELLED', 'RETURNED']).nullable().optional(),
    checkedInAt: dateTime().nullable().optional(),
    version: z.number().int().meta({ description: 'Goes up with each transfer; older codes are dead' }),
    transfers: z.number().int().optional(),
    code: TicketCode.nullable(),
    issuedAt: dateTime().optional(),
  })
  .meta({ id: 'Ticket' });
export const TicketList = z.object({ items: z.array(Ticket) });

export const Transferred = z.object({ ticketId: uuid(), status: z.literal('TRANSFERRED'), version: z.number().int(), transfers: z.number().int() });

export const ScannerBundle = z
  .object({
    performanceId: uuid(),
    title: z.string().optional(),
    cancelledAt: dateTime().nullable().optional(),
    codeMode: z.enum(['STATIC', 'ROTATING']),
    schedules: z.array(z.object({ scheduleId: uuid(), startsAt: dateTime() }).partial()),
    rotation: z
      .object({
        secret: z.string().meta({ description: 'base64url, 32 bytes' }),
        stepSeconds: z.number().int(),
        windowSteps: z.number().int().meta({ description: "Steps a code may lag or lead the scanner's clock" }),
      })
      .partial()
      .meta({ description: 'A ticket\'s rotating key is HMAC-SHA256(secret, "ticket-key" ‖ ticket id ‖ version).' }),
    keys: Jwks,
  })
  .meta({ id: 'ScannerBundle' });

export const Revocation = z
  .object({
    ticketId: uuid(),
    version: z.number().int().meta({ description: 'Codes of this ticket with a version up to this one are dead' }),
    reason: z.enum(['ORDER_REFUNDED', 'PERFORMANCE_CANCELLED', 'TRANSFERRED', 'RETURNED']),
    revokedAt: dateTime(),
  })
  .meta({ id: 'Revocation' });
export const RevocationPage = z.object({ items: z.array(Revocation), nextCursor: z.string(), more: z.boolean() });

export const CheckInPage = z.object({
  items: z.array(z.object({ ticketId: uuid(), version: z.number().int(), gate: z.string(), scannedAt: dateTime() })),
  nextCursor: z.string(),
  more: z.boolean(),
});

const firstCheckIn = z.object({ gate: z.string(), scannedAt: dateTime() }).partial();
export const ScanResult = z
  .object({
    scanId: uuid(),
    ticketId: uuid().optional(),
    outcome: z.enum(['ADMITTED', 'DUPLICATE', 'REVOKED', 'WRONG_DATE', 'WRONG_EVENT', 'CODE_EXPIRED', 'FORGED']).meta({
      description:
        '`ADMITTED`; `DUPLICATE` (entered before: see `firstCheckIn`); `REVOKED` (refund,\ncancellation, or an older version after a transfer); `WRONG_DATE` (another schedule of\nthis performance); `WRONG_EVENT`; `CODE_EXPIRED` (a rotating code outside its window, or\na static code where codes rotate); `FORGED` (unreadable, unknown key, bad signature).',
    }),
    firstCheckIn: firstCheckIn.optional(),
  })
  .meta({ id: 'ScanResult' });
export const ScanResults = z.object({ results: z.array(ScanResult) });

export const DuplicateList = z.object({
  items: z.array(z.object({ ticketId: uuid(), gate: z.string(), scannedAt: dateTime(), first: firstCheckIn }).partial()),
});
export const StaffList = z.object({ items: z.array(z.object({ userId: uuid(), grantedBy: z.string(), grantedAt: dateTime() }).partial()) }).partial();
export const StaffGranted = z.object({ userId: uuid(), performanceId: uuid(), role: z.literal('STAFF') }).partial();

/** Minutes with nothing in them are left out: the organiser's page fills the gaps with zeros. */
export const CheckInTimeline = z.object({
  performanceId: uuid(),
  scheduleId: uuid(),
  from: dateTime(),
  to: dateTime(),
  buckets: z.array(z.object({
    minute: dateTime().meta({ description: 'Start of the minute (UTC)' }),
    issued: z.number().int().meta({ description: 'Tickets issued (one per seat of a confirmed order)' }),
    revoked: z.number().int().meta({ description: 'Tickets revoked by a refund or a cancellation (a transfer is not counted)' }),
    checkedIn: z.number().int().meta({ description: 'Entries, by when the gate admitted them (scannedAt), however late they synced' }),
    gates: z.record(z.string(), z.number().int()).meta({ description: 'Entries per gate in that minute' }),
  })),
});

export type Ticket = z.infer<typeof Ticket>;
export type CheckInTimeline = z.infer<typeof CheckInTimeline>;
export type ScannerBundle = z.infer<typeof ScannerBundle>;
export type ScanResult = z.infer<typeof ScanResult>;
export type TicketCode = z.infer<typeof TicketCode>;
export type Revocation = z.infer<typeof Revocation>;
export type RevocationPage = z.infer<typeof RevocationPage>;
export type CheckInPage = z.infer<typeof CheckInPage>;
export type ScanBatch = z.infer<typeof ScanBatch>;
