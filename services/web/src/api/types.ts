// Shapes of the public REST contract that the pages read: the types come from packages/contracts
// (the source of docs/openapi.yaml). Type-only imports: none of the schemas reach the bundle.

import type {
  AccessCode,
  AccessCodeUses,
  CheckInTimeline,
  NewAccessCode,
  NewPerformanceBody,
  Order,
  OrderSeat,
  OrderStatus,
  Payment,
  PaymentStatus,
  Performance,
  PerformanceSummary,
  Profile,
  ProofOfWorkChallenge,
  ProofOfWorkSolution,
  Queue,
  QueueEntry,
  QueueEntryStatus,
  QueueSettingsChange,
  QueueTimeline,
  SalesTimeline,
  Seat,
  SeatStatus,
  TokenPair,
  Ticket,
  TicketCode,
  ScannerBundle,
  ScanResult,
  ScanBatch,
  Revocation,
  CheckInPage,
  ReturnQuote,
  TicketReturn,
  WaitlistEntry,
  WaitlistOffer,
  WaitlistStats as WaitlistStatsBody,
} from '@ticketping/contracts/http';

export type { AccessCode, AccessCodeUses, NewAccessCode };
export type { WaitlistEntry, WaitlistOffer, CheckInTimeline, QueueTimeline, SalesTimeline, Ticket, TicketCode, ScanResult, Order, OrderSeat, OrderStatus, Payment, PaymentStatus, Performance, PerformanceSummary, ProofOfWorkChallenge, ProofOfWorkSolution, QueueEntry, QueueEntryStatus, Seat, SeatStatus };

/** The states an administrator can set (SOLD_OUT is the queue's own). */
export type QueueState = NonNullable<QueueSettingsChange['state']>;
export type QueueStatus = Queue;
export type User = Profile;
export type Tokens = TokenPair;
export type NewPerformance = NewPerformanceBody;
export type Grade = Performance['grades'][number];
export type Schedule = Performance['schedules'][number];
/** What a scanner downloads for its performance (GET /check-in/performances/:id). */
export type CheckInBundle = ScannerBundle;

export interface Page<T> { items: T[]; nextCursor?: string | null }

/** RFC 9457 problem details, as every error of the API is shaped. */
export interface Problem { type?: string; title?: string; status?: number | string; detail?: string; code?: string; [extra: string]: unknown }

export interface CursorPage<T> { items: T[]; nextCursor: string; more: boolean }
/** A ticket's state at the door: one revocation, one check-in made at another gate. */
export type { Revocation };
export type RemoteCheckIn = CheckInPage['items'][number];
/** One scan as the scanner sends it in a batch (POST /check-in/scans). */
export type ScanToSend = ScanBatch['scans'][number];
/** One schedule's waitlist as an organiser sees it (GET /admin/waitlist). */
export type WaitlistStats = WaitlistStatsBody['items'][number];

export type { ReturnQuote, TicketReturn };
