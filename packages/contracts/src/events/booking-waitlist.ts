import { z } from 'zod';
import { instant, uuid } from './fields.ts';

/** Which fan's place on which schedule's waitlist (keyed by scheduleId, so one schedule's events keep their order). */
export const waitlistEntryFacts = z.object({
  entryId: uuid(),
  userId: z.string().min(1),
  performanceId: uuid(),
  scheduleId: uuid(),
});

/** `waitlist.joined`: a fan waits for `seatsWanted` seats of a sold-out schedule. */
export const waitlistJoined = waitlistEntryFacts.extend({ seatsWanted: z.number().int().positive() });
/** `waitlist.left`: the fan left (an open offer of theirs is declined and moves on). */
export const waitlistLeft = waitlistEntryFacts;

/**
 * `waitlist.offer-made`, `waitlist.offer-claimed`, `waitlist.offer-expired`, `waitlist.offer-declined`:
 * seats that came back (`source`) held for one waitlisted fan until `expiresAt`; claimed, the offer
 * becomes order `orderId` (then paid as any order).
 */
export const waitlistOffer = waitlistEntryFacts.extend({
  offerId: uuid(),
  seatIds: z.array(uuid()).min(1),
  source: z.enum(['order.expired', 'order.cancelled', 'order.refunded', 'offer.expired', 'offer.declined', 'ticket.returned']),
  expiresAt: instant(),
  orderId: uuid().nullable(),
});
