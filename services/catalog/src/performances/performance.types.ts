export interface QueueSettings {
  capacity: number;
  admitPerMinute: number;
}

export interface Performance {
  id: string;
  title: string;
  venue: string;
  description: string;
  bookingOpensAt: Date;
  bookingClosesAt: Date;
  maxSeatsPerOrder: number;
  /** Seats one fan may hold over all schedules and orders; null: maxSeatsPerOrder (see seatsPerPerson). */
  maxSeatsPerPerson: number | null;
  /** The waiting room admits only accounts with a confirmed e-mail address. */
  requireVerifiedEmail: boolean;
  queue: QueueSettings;
  soldOut: boolean;
  cancelledAt: Date | null;
}

export interface Schedule {
  id: string;
  performanceId: string;
  startsAt: Date;
}

export interface Grade {
  name: string;
  price: number;
  currency: string;
}

export interface Section {
  id: string;
  name: string;
  grade: string;
  rows: number;
  seatsPerRow: number;
}

export interface PerformanceDetail extends Performance {
  schedules: Schedule[];
  grades: Grade[];
  sections: Section[];
}

/** The per-person limit in force. */
export const seatsPerPerson = (p: Pick<Performance, 'maxSeatsPerOrder' | 'maxSeatsPerPerson'>): number => p.maxSeatsPerPerson ?? p.maxSeatsPerOrder;

/** What fans see: the sale's phase now, unless it was cancelled or sold out. */
export type PerformanceStatus = 'UPCOMING' | 'ON_SALE' | 'CLOSED' | 'SOLD_OUT' | 'CANCELLED';

export function performanceStatus(p: Pick<Performance, 'bookingOpensAt' | 'bookingClosesAt' | 'soldOut' | 'cancelledAt'>, now: Date): PerformanceStatus {
  if (p.cancelledAt) return 'CANCELLED';
  if (now >= p.bookingClosesAt) return 'CLOSED';
  if (p.soldOut) return 'SOLD_OUT';
  return now < p.bookingOpensAt ? 'UPCOMING' : 'ON_SALE';
}
