// Shapes of the public REST contract (docs/api.md) that the pages read.

export type SeatStatus = 'AVAILABLE' | 'HELD' | 'SOLD';
export type QueueEntryStatus = 'WAITING' | 'ADMITTED' | 'EXPIRED';
export type QueueState = 'OPEN' | 'PAUSED' | 'CLOSED';
export type OrderStatus = 'PENDING_PAYMENT' | 'CONFIRMED' | 'CANCELLED' | 'EXPIRED' | 'REFUNDED';
export type PaymentStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED' | 'REFUNDED';

export interface Page<T> { items: T[]; nextCursor?: string | null }

export interface User { id: string; email: string; nickname: string; role: 'USER' | 'ADMIN' }
export interface Tokens { accessToken: string; refreshToken: string; tokenType: 'Bearer'; expiresIn: number }

export interface PerformanceSummary {
  id: string;
  title: string;
  venue: string;
  bookingOpensAt: string;
  bookingClosesAt: string;
  status: string;
}

export interface Grade { name: string; price: number; currency: string }
export interface Schedule { id: string; startsAt: string }

export interface Performance {
  id: string;
  title: string;
  venue: string;
  description: string;
  bookingOpensAt: string;
  bookingClosesAt: string;
  maxSeatsPerOrder: number;
  /** UPCOMING, ON_SALE, SOLD_OUT, CLOSED, CANCELLED (the catalog sends it; not yet in docs/api.md). */
  status?: string;
  schedules: Schedule[];
  grades: Grade[];
}

export interface Seat {
  id: string;
  section: string;
  row: string;
  number: number;
  grade: string;
  price: number;
  currency: string;
  status: SeatStatus;
}

export interface QueueEntry {
  performanceId: string;
  status: QueueEntryStatus;
  position: number | null;
  ahead: number | null;
  etaSeconds: number | null;
  pollAfterMs: number | null;
  queueToken: string | null;
  expiresAt: string | null;
  /** Sent by the queue service (not yet in docs/api.md): PRE_QUEUE, ABANDONED, EXPIRED, SOLD_OUT, QUEUE_CLOSED. */
  reason?: string | null;
  /** When the sale opens; before then entries wait in a pre-queue whose order is drawn at the opening. */
  opensAt?: string | null;
}

export interface QueueStatus {
  performanceId: string;
  waiting: number;
  active: number;
  capacity: number;
  admitPerMinute: number;
  state: QueueState;
}

export interface OrderSeat { id: string; section: string; row: string; number: number; price: number }

export interface Order {
  id: string;
  status: OrderStatus;
  /** Sent by the booking service (not yet in docs/api.md); the pages cope without it. */
  performanceId?: string;
  scheduleId: string;
  seats: OrderSeat[];
  amount: number;
  currency: string;
  expiresAt: string;
  /** The latest payment attempt (booking service; not yet in docs/api.md). */
  paymentId?: string | null;
}

export interface Payment { id: string; orderId: string; amount: number; currency: string; status: PaymentStatus }

export interface NewPerformance {
  title: string;
  venue: string;
  description: string;
  bookingOpensAt: string;
  bookingClosesAt: string;
  maxSeatsPerOrder: number;
  schedules: { startsAt: string }[];
  sections: { name: string; rows: number; seatsPerRow: number; grade: string; price: number; currency: string }[];
  queue: { capacity: number; admitPerMinute: number };
}

/** RFC 9457 problem details, as every error of the API is shaped. */
export interface Problem { type?: string; title?: string; status?: number; detail?: string; code?: string; [extra: string]: unknown }

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
