import type { Knex } from '@ticketping/db';
import { requestOfferMail } from './offer-mails.repo.ts';
import { emitOfferEvent } from './waitlist.events.ts';
import { returnToSellersOrRelease } from '../returns/returns.repo.ts';
import { insertOffer, lockSchedule, moveHoldsToOffer, nextWaiting, setEntryStatus } from './waitlist.repo.ts';
import type { Offer, SeatSource } from './waitlist.types.ts';

/**
 * Seats that come back (a released order, an offer that lapsed or was declined) go to the
 * schedule's waitlist, in order, in the transaction that releases them: their `seat_holds` rows
 * change owner instead of being deleted, so the seats are never free on the seat map in between
 * and no later sweep is needed to find them. Only seats nobody waits for are released, except a
 * returned ticket's seat, which goes back to its seller's order (the listing stays). Each
 * waiting fan in turn is offered up to the seats they asked for (neighbouring seats together,
 * as the caller lists them); a fan who wanted two may be offered one, and may claim it or let it
 * go. Must run in the releasing transaction, with the seats still held by their old owner.
 */
export async function handOverSeats(trx: Knex.Transaction, scheduleId: string, seatIds: string[], source: SeatSource): Promise<Offer[]> {
  if (seatIds.length === 0) return [];
  const schedule = await lockSchedule(trx, scheduleId);
  const offers: Offer[] = [];
  const remaining = [...seatIds];
  // A cancelled performance sells nothing more: its seats are simply released.
  while (schedule && !schedule.cancelled && remaining.length) {
    const entry = await nextWaiting(trx, scheduleId);
    if (!entry) break;
    const seats = remaining.splice(0, entry.seatsWanted);
    const offer = await insertOffer(trx, entry, seats, source);
    const moved = await moveHoldsToOffer(trx, seats, offer.id);
    if (moved !== seats.length) throw new Error(`hand-over of ${seats.length} seat(s) found ${moved} held`);
    await setEntryStatus(trx, entry.id, 'OFFERED');
    await emitOfferEvent(trx, 'waitlist.offer-made', offer);
    await requestOfferMail(trx, offer.id, offer.userId);
    offers.push(offer);
  }
  await returnToSellersOrRelease(trx, remaining);
  return offers;
}
