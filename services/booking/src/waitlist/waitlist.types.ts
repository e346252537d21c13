import type { WaitlistStats as WaitlistStatsBody } from '@ticketping/contracts/http';

export const ENTRY_STATUSES = ['WAITING', 'OFFERED', 'CLAIMED', 'LEFT', 'LAPSED'] as const;
export type EntryStatus = (typeof ENTRY_STATUSES)[number];
export const OFFER_STATUSES = ['OPEN', 'CLAIMED', 'EXPIRED', 'DECLINED', 'WITHDRAWN'] as const;
export type OfferStatus = (typeof OFFER_STATUSES)[number];

/** Where the seats of an offer came from: a released order, an offer that moved on, or a ticket its holder returned. */
export type SeatSource = 'order.expired' | 'order.cancelled' | 'order.refunded' | 'offer.expired' | 'offer.declined' | 'ticket.returned';

export interface WaitlistEntry {
  id: string;
  position: number;
  scheduleId: string;
  performanceId: string;
  userId: string;
  seatsWanted: number;
  claimSeconds: number;
  status: EntryStatus;
  createdAt: Date;
  updatedAt: Date;
}

export interface Offer {
  id: string;
  entryId: string;
  scheduleId: string;
  performanceId: string;
  userId: string;
  source: SeatSource;
  seatIds: string[];
  status: OfferStatus;
  expiresAt: Date;
  orderId: string | null;
  createdAt: Date;
}

/** Per schedule, what an organiser watches (admin endpoint and metrics): the contract's row. */
export type WaitlistStats = WaitlistStatsBody['items'][number];
