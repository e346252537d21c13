export const TICKET_STATUSES = ['VALID', 'REVOKED'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
/** `RETURNED`: the holder gave the ticket back and a waitlisted fan bought its seat (issue 20). */
export type RevokeReason = 'ORDER_REFUNDED' | 'PERFORMANCE_CANCELLED' | 'RETURNED';

export interface Ticket {
  id: string;
  orderId: string;
  performanceId: string;
  scheduleId: string;
  seatId: string;
  holderId: string;
  version: number;
  status: TicketStatus;
  revokedReason: string | null;
  transferCount: number;
  issuedAt: Date;
  updatedAt: Date;
}

/** A ticket with what a fan reads on it: the show, the date, the seat, whether it was used. */
export interface TicketView extends Ticket {
  title: string | null;
  startsAt: Date | null;
  codeMode: 'STATIC' | 'ROTATING';
  seat: { section: string; row: number; number: number; grade: string } | null;
  checkedInAt: Date | null;
}
