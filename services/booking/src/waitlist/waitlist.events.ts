import type { Knex } from '@ticketping/db';
import { enqueue } from '@ticketping/bus';
import type { EventPayload } from '@ticketping/contracts/events';
import { TOPICS } from '@ticketping/contracts/topics';
import { SCHEMA } from '../orders/orders.events.ts';
import type { Offer, WaitlistEntry } from './waitlist.types.ts';

type OfferEvent = 'waitlist.offer-made' | 'waitlist.offer-claimed' | 'waitlist.offer-expired' | 'waitlist.offer-declined';

/** Keyed by schedule: a schedule's waitlist events keep their order on one partition. */
export async function emitEntryEvent(trx: Knex.Transaction, type: 'waitlist.joined' | 'waitlist.left', entry: WaitlistEntry): Promise<void> {
  const facts: EventPayload<'waitlist.left'> = { entryId: entry.id, userId: entry.userId, performanceId: entry.performanceId, scheduleId: entry.scheduleId };
  const payload = type === 'waitlist.joined' ? { ...facts, seatsWanted: entry.seatsWanted } satisfies EventPayload<'waitlist.joined'> : facts;
  await enqueue(trx, SCHEMA, { topic: TOPICS.bookingWaitlist, type, key: entry.scheduleId, payload });
}

export async function emitOfferEvent(trx: Knex.Transaction, type: OfferEvent, offer: Offer): Promise<void> {
  const payload: EventPayload<OfferEvent> = {
    entryId: offer.entryId, userId: offer.userId, performanceId: offer.performanceId, scheduleId: offer.scheduleId,
    offerId: offer.id, seatIds: offer.seatIds, source: offer.source, expiresAt: offer.expiresAt.toISOString(), orderId: offer.orderId,
  };
  await enqueue(trx, SCHEMA, { topic: TOPICS.bookingWaitlist, type, key: offer.scheduleId, payload });
}
