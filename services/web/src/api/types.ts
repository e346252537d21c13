// Shapes of the public REST contract that the pages read: the types come from packages/contracts
// (the source of docs/openapi.yaml). Type-only imports: none of the schemas reach the bundle.

import type {
  CheckInTimeline,
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
  Seat,
  SeatStatus,
  TokenPair,
} from '@ticketping/contracts/http';

export type { CheckInTimeline, Order, OrderSeat, OrderStatus, Payment, PaymentStatus, Performance, PerformanceSummary, ProofOfWorkChallenge, ProofOfWorkSolution, QueueEntry, QueueEntryStatus, Seat, SeatStatus };

/** The states an administrator can set (SOLD_OUT is the queue's own). */
export type QueueState = NonNullable<QueueSettingsChange['state']>;
export type QueueStatus = Queue;
export type User = Profile;
export type Tokens = TokenPair;
export type NewPerformance = NewPerformanceBody;
export type Grade = Performance['grades'][number];
export type Schedule = Performance['schedules'][number];

export interface Page<T> { items: T[]; nextCursor?: string | null }

/** RFC 9457 problem details, as every error of the API is shaped. */
export interface Problem { type?: string; title?: string; status?: number | string; detail?: string; code?: string; [extra: string]: unknown }

/** How a ticket's holder shows it: a fixed code, or a base and key the page rotates every step. */
export type TicketCode =
  | { mode: 'STATIC'; code: string }
  | { mode: 'ROTATING'; code: string; base: string; key: string; stepSeconds: number };

export interface Ticket {
  id: string;
  orderId: string;
  performanceId: string;
  scheduleId: string;
  title: string | null;
  startsAt: string | null;
  seat: { seatId: string; section?: string; row?: number; number?: number; grade?: string };
  status: 'VALID' | 'REVOKED';
  revokedReason: string | null;
  checkedInAt: string | null;
  version: number;
  transfers: number;
  /** Null when revoked: there is nothing to show at the door. */
  code: TicketCode | null;
  issuedAt: string;
}

/** What a scanner downloads for its performance (GET /check-in/performances/:id). */
export interface CheckInBundle {
  performanceId: string;
  title: string;
  cancelledAt: string | null;
  codeMode: 'STATIC' | 'ROTATING';
  schedules: { scheduleId: string; startsAt: string }[];
  rotation: { secret: string; stepSeconds: number; windowSteps: number };
  keys: { keys: Array<JsonWebKey & { kid?: string }> };
}

export interface CursorPage<T> { items: T[]; nextCursor: string; more: boolean }
export interface Revocation { ticketId: string; version: number; reason: string; revokedAt: string }
export interface RemoteCheckIn { ticketId: string; version: number; gate: string; scannedAt: string }
export interface ScanToSend { scanId: string; scheduleId: string; code: string; scannedAt: string }
export interface ScanResult {
  scanId: string;
  outcome: 'ADMITTED' | 'DUPLICATE' | 'FORGED' | 'CODE_EXPIRED' | 'WRONG_DATE' | 'WRONG_EVENT' | 'REVOKED';
  ticketId?: string;
  firstCheckIn?: { gate: string; scannedAt: string };
}
