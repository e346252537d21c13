import { z } from 'zod';
import { instant, uuid } from './fields.ts';

/** What every ticket event says: the ticket, its order, its current holder and version (keyed by ticketId). */
export const ticketFacts = z.object({
  ticketId: uuid(),
  orderId: uuid(),
  /** The holder: accounts are uuids (auth). */
  userId: uuid(),
  performanceId: uuid(),
  scheduleId: uuid(),
  seatId: uuid(),
  version: z.number().int().min(1),
});

/** `ticket.issued`: one per seat of a confirmed order, once however often `order.confirmed` comes. */
export const ticketIssued = ticketFacts;
/** `ticket.revoked`: its codes are dead (`RETURNED`: the holder gave it back and a waitlisted fan bought the seat). */
export const ticketRevoked = ticketFacts.extend({ reason: z.enum(['ORDER_REFUNDED', 'PERFORMANCE_CANCELLED', 'RETURNED']) });
/** `ticket.transferred`: `userId` is the new holder; codes of `previousVersion` are dead. */
export const ticketTransferred = ticketFacts.extend({ fromUserId: uuid(), previousVersion: z.number().int().min(1) });
/** `ticket.checked-in`: the first entry only (a later scan is flagged as a duplicate, not published). */
export const ticketCheckedIn = z.object({ checkInId: uuid(), ticketId: uuid(), performanceId: uuid(), scheduleId: uuid(), gate: z.string(), scannedAt: instant() });
