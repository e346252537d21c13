export const RETURN_STATUSES = ['LISTED', 'SOLD', 'REFUNDED', 'WITHDRAWN'] as const;
export type ReturnStatus = (typeof RETURN_STATUSES)[number];

/** A ticket given back for resale at the price paid (booking's `seat_returns`). */
export interface SeatReturn {
  id: string;
  ticketId: string;
  /** The seller's order, the one the ticket was issued for, and the payment that confirmed it. */
  orderId: string;
  paymentId: string;
  userId: string;
  performanceId: string;
  scheduleId: string;
  seatId: string;
  price: number;
  fee: number;
  refund: number;
  currency: string;
  status: ReturnStatus;
  buyerOrderId: string | null;
  createdAt: Date;
  soldAt: Date | null;
  refundedAt: Date | null;
}

/** Booking's copy of one ticket (from the tickets service's events). */
export interface TicketCopy { ticketId: string; orderId: string; seatId: string; holderId: string; revoked: boolean; checkedIn: boolean }

/** The fee kept on a sold return: a share of the price, at least a floor, never more than the price. */
export function returnFee(price: number, fee: { percent: number; minimum: number }): number {
  return Math.min(price, Math.max(fee.minimum, Math.floor((price * fee.percent) / 100)));
}
