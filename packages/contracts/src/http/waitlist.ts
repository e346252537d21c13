import { z } from 'zod';
import { OrderSeat } from './booking.ts';
import { dateTime, uuid } from './common.ts';
import { ProofOfWorkSolution } from './queue.ts';

/** Seats wanted: checked against `maxSeatsPerOrder` and the per-person limit, as an order is. */
export const NewWaitlistEntry = z
  .strictObject({
    seats: z.number().int().min(1).max(20).default(1).meta({ description: 'Seats wanted together; an offer may hold fewer when fewer came back' }),
    proofOfWork: ProofOfWorkSolution.optional().meta({
      description: 'A solved challenge of `POST /api/v1/queues/{performanceId}/challenge` for this schedule\'s performance, as an entry carries one; one solution buys one entry or one join. Always solve and send it (also when the challenge says `required: false`: it is then solved in one try); only a performance whose waiting room has proof-of-work off (difficulty 0) or that has no waiting room takes a join without one.',
    }),
  })
  .meta({ id: 'NewWaitlistEntry' });

export const offerIdParams = z.object({ offerId: uuid().meta({ param: { id: 'OfferId' } }) });

export const WaitlistOffer = z
  .object({
    id: z.uuid(),
    scheduleId: z.uuid(),
    performanceId: z.uuid(),
    status: z.enum(['OPEN', 'CLAIMED', 'EXPIRED', 'DECLINED', 'WITHDRAWN']),
    seats: z.array(OrderSeat),
    amount: z.number().int().meta({ description: 'What the order will cost if claimed (minor units)' }),
    currency: z.string(),
    expiresAt: dateTime().meta({ description: 'Claim before this; after it the seats go to the next fan' }),
    orderId: z.uuid().nullable().meta({ description: 'The order the claim created; pay it as any order' }),
    createdAt: dateTime(),
  })
  .meta({ id: 'WaitlistOffer' });

export const WaitlistEntry = z
  .object({
    id: z.uuid(),
    scheduleId: z.uuid(),
    performanceId: z.uuid(),
    status: z.enum(['WAITING', 'OFFERED', 'CLAIMED', 'LEFT', 'LAPSED']),
    seatsWanted: z.number().int(),
    place: z.number().int().meta({ description: '1-based place among the fans still waiting; 0 once no longer waiting' }),
    waiting: z.number().int().meta({ description: "Fans waiting on this schedule's waitlist now: the line's length" }),
    joinedAt: dateTime(),
    offer: WaitlistOffer.nullable().meta({ description: 'The open offer, while `status` is `OFFERED`' }),
  })
  .meta({ id: 'WaitlistEntry' });

export const WaitlistOfferList = z.object({ items: z.array(WaitlistOffer) }).meta({ id: 'WaitlistOfferList' });

export const WaitlistStats = z
  .object({
    items: z.array(z.object({
      scheduleId: z.uuid(),
      performanceId: z.uuid(),
      waiting: z.number().int(),
      offers: z.object({ OPEN: z.number().int(), CLAIMED: z.number().int(), EXPIRED: z.number().int(), DECLINED: z.number().int(), WITHDRAWN: z.number().int() }),
      /** Tickets returned for resale at face value, by state. */
      returns: z.object({ LISTED: z.number().int(), SOLD: z.number().int(), REFUNDED: z.number().int(), WITHDRAWN: z.number().int() }),
    })),
  })
  .meta({ id: 'WaitlistStats' });

export type WaitlistEntry = z.infer<typeof WaitlistEntry>;
export type WaitlistOffer = z.infer<typeof WaitlistOffer>;
export type WaitlistStats = z.infer<typeof WaitlistStats>;
