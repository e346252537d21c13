import { randomUUID } from 'node:crypto';
import type { Knex } from '@ticketping/db';
import type { Caller } from '@ticketping/http';
import type { Sellable, SellableCache } from '../catalog-copy/sellable-cache.ts';
import * as orderErrors from '../orders/orders.errors.ts';
import { emitOrderEvent } from '../orders/orders.events.ts';
import { countSeatsHeld, findLiveOrderId, findOrder, insertOrder } from '../orders/orders.repo.ts';
import type { Order, OrderSeat } from '../orders/orders.types.ts';
import * as errors from './waitlist.errors.ts';
import { emitEntryEvent, emitOfferEvent } from './waitlist.events.ts';
import { handOverSeats } from './hand-over.ts';
import { listedPrices } from '../returns/returns.repo.ts';
import { offerListedSeats } from '../returns/settle.ts';
import {
  findLatestEntry, findLiveEntry, findOffer, findOpenOfferOfEntry, insertEntry, isSoldOut, listOffers, lockLapsedOffers, lockSchedule,
  moveHoldsToOrder, placeInLine, setEntryStatus, setOfferStatus, waitlistStats,
} from './waitlist.repo.ts';
import type { Offer, WaitlistEntry, WaitlistStats } from './waitlist.types.ts';

export interface WaitlistDeps {
  db: Knex;
  catalog: SellableCache;
  /** How long a claimed offer's order waits for payment, as for any hold. */
  holdTtlSeconds: number;
  /** How long an offered fan has to claim (stamped on each entry when it joins). */
  claimSeconds: number;
  now?: () => Date;
}

export interface EntryView { entry: WaitlistEntry; place: number; waiting: number; offer: OfferView | undefined }
export interface OfferView { offer: Offer; seats: OrderSeat[]; currency: string }

const isViolation = (error: unknown, code: '23505' | '23514', constraint: string) =>
  (error as { code?: string }).code === code && (error as { constraint?: string }).constraint === constraint;

const LAPSE_BATCH = 100;

export function createWaitlist(deps: WaitlistDeps) {
  const { db, catalog } = deps;
  const now = deps.now ?? (() => new Date());

  async function sellableOf(scheduleId: string): Promise<Sellable> {
    const sellable = await catalog.get(scheduleId);
    if (!sellable) throw orderErrors.scheduleNotFound(scheduleId);
    return sellable;
  }

  async function offerView(offer: Offer): Promise<OfferView> {
    const { seats } = await sellableOf(offer.scheduleId);
    const copies = offer.seatIds.map((id) => seats.get(id)).filter((s) => s !== undefined);
    return {
      offer,
      seats: copies.map((s) => ({ id: s.seatId, section: s.section, row: s.row, number: s.number, grade: s.grade, price: s.price })),
      currency: copies[0]?.currency ?? 'KRW',
    };
  }

  async function entryView(entry: WaitlistEntry): Promise<EntryView> {
    const open = entry.status === 'OFFERED' ? await findOpenOfferOfEntry(db, entry.id) : undefined;
    return { entry, ...(await placeInLine(db, entry)), offer: open ? await offerView(open) : undefined };
  }

  /**
   * The order a claimed offer becomes: the seats at today's prices, waiting for payment; a
   * returned seat at the price its seller paid (`resale`), so a resale is always at face value.
   */
  function orderFor(offer: Offer, sellable: Sellable, resale: Map<string, number>): Order {
    const seats = offer.seatIds.map((id) => sellable.seats.get(id)).filter((s) => s !== undefined).map((s) => ({ ...s, price: resale.get(s.seatId) ?? s.price }));
    const at = now();
    return {
      id: randomUUID(), userId: offer.userId, performanceId: offer.performanceId, scheduleId: offer.scheduleId, status: 'PENDING_PAYMENT',
      seats: seats.map((s) => ({ id: s.seatId, section: s.section, row: s.row, number: s.number, grade: s.grade, price: s.price })),
      amount: seats.reduce((sum, s) => sum + s.price, 0), currency: seats[0]?.currency ?? 'KRW',
      expiresAt: new Date(at.getTime() + deps.holdTtlSeconds * 1000), paymentId: null, createdAt: at, updatedAt: at,
    };
  }

  return {
    /**
     * Puts the fan on a sold-out schedule's waitlist. Joining again while on it returns the same
     * entry (`created: false`). The seats wanted are checked against the same limits as an order,
     * and the database checks them again when an offer is claimed.
     */
    async join(who: Caller, input: { scheduleId: string; seats: number }): Promise<{ view: EntryView; created: boolean }> {
      const { schedule } = await sellableOf(input.scheduleId);
      if (schedule.cancelledAt) throw orderErrors.performanceCancelled();
      if (now() >= schedule.bookingClosesAt) throw orderErrors.bookingClosed();
      if (input.seats > schedule.maxSeatsPerOrder) throw orderErrors.tooManySeats(schedule.maxSeatsPerOrder);
      const { held, limit } = await countSeatsHeld(db, who.id, schedule.performanceId);
      if (held + input.seats > limit) throw orderErrors.personLimitReached(limit, held);
      const liveOrder = await findLiveOrderId(db, who.id, input.scheduleId);
      if (liveOrder) throw orderErrors.liveOrderExists(liveOrder);
      try {
        const result = await db.transaction(async (trx) => {
          const existing = await findLiveEntry(trx, who.id, input.scheduleId);
          if (existing) return { entry: existing, created: false };
          // The schedule lock makes "sold out" true until this entry commits: a seat released
          // meanwhile was released before it (and is free to book), or is offered to this fan.
          await lockSchedule(trx, input.scheduleId);
          if (!(await isSoldOut(trx, input.scheduleId))) throw errors.seatsAvailable(input.scheduleId);
          const entry = await insertEntry(trx, {
            id: randomUUID(), scheduleId: input.scheduleId, performanceId: schedule.performanceId, userId: who.id, seatsWanted: input.seats, claimSeconds: deps.claimSeconds,
          });
          await emitEntryEvent(trx, 'waitlist.joined', entry);
          // returned tickets nobody was waiting for are offered now, in the same order as any seat
          await offerListedSeats(trx, input.scheduleId);
          return { entry: (await findLiveEntry(trx, who.id, input.scheduleId)) ?? entry, created: true };
        });
        return { view: await entryView(result.entry), created: result.created };
      } catch (error) {
        if (!isViolation(error, '23505', 'waitlist_one_entry_per_fan')) throw error;
        const existing = await findLiveEntry(db, who.id, input.scheduleId);
        if (!existing) throw error;
        return { view: await entryView(existing), created: false };
      }
    },

    /** The fan's entry (latest, whatever its state) with their place and any open offer. */
    async status(who: Caller, scheduleId: string): Promise<EntryView> {
      const entry = await findLatestEntry(db, who.id, scheduleId);
      if (!entry) throw errors.notOnWaitlist();
      return entryView(entry);
    },

    /** Leaving declines an open offer, whose seats go to the next fan at once. */
    async leave(who: Caller, scheduleId: string): Promise<EntryView> {
      const left = await db.transaction(async (trx) => {
        const seen = await findLiveEntry(trx, who.id, scheduleId);
        if (!seen) throw errors.notOnWaitlist();
        // Offer before entry: the lock order of a claim and of the lapse sweeper.
        const offer = seen.status === 'OFFERED' ? await findOpenOfferOfEntry(trx, seen.id, { lock: true }) : undefined;
        const entry = await findLiveEntry(trx, who.id, scheduleId, { lock: true });
        if (!entry) throw errors.notOnWaitlist();
        await setEntryStatus(trx, entry.id, 'LEFT');
        await emitEntryEvent(trx, 'waitlist.left', entry);
        if (offer) {
          await setOfferStatus(trx, offer.id, 'DECLINED');
          await emitOfferEvent(trx, 'waitlist.offer-declined', { ...offer, status: 'DECLINED' });
          await handOverSeats(trx, offer.scheduleId, offer.seatIds, 'offer.declined');
        }
        return { ...entry, status: 'LEFT' as const };
      });
      return entryView(left);
    },

    async listOffers(who: Caller, limit: number): Promise<OfferView[]> {
      return Promise.all((await listOffers(db, who.id, limit)).map(offerView));
    },

    /**
     * Turns an open offer into an order waiting for payment, in one transaction: the seats' holds
     * pass from the offer to the order, so they are never free in between. Claiming a claimed
     * offer again returns its order (a retry after a lost answer or a crash).
     */
    async claim(who: Caller, offerId: string): Promise<{ order: Order; created: boolean }> {
      const seen = await findOffer(db, offerId, { userId: who.id });
      if (!seen) throw errors.offerNotFound();
      const sellable = await sellableOf(seen.scheduleId);
      try {
        return await db.transaction(async (trx) => {
          const offer = await findOffer(trx, offerId, { userId: who.id, lock: true });
          if (!offer) throw errors.offerNotFound();
          if (offer.status === 'CLAIMED' && offer.orderId) return { order: (await findOrder(trx, offer.orderId))!, created: false };
          if (offer.status !== 'OPEN') throw errors.offerNotOpen(offer.status);
          if (offer.expiresAt <= now()) throw errors.offerNotOpen('EXPIRED');
          const order = orderFor(offer, sellable, await listedPrices(trx, offer.seatIds));
          await insertOrder(trx, order);
          const moved = await moveHoldsToOrder(trx, offer.id, order.id);
          if (moved !== offer.seatIds.length) throw new Error(`offer ${offer.id} holds ${moved} of its ${offer.seatIds.length} seat(s)`);
          await setOfferStatus(trx, offer.id, 'CLAIMED', order.id);
          await setEntryStatus(trx, offer.entryId, 'CLAIMED');
          await emitOrderEvent(trx, 'order.created', order);
          await emitOfferEvent(trx, 'waitlist.offer-claimed', { ...offer, status: 'CLAIMED', orderId: order.id });
          return { order, created: true };
        });
      } catch (error) {
        if (isViolation(error, '23505', 'orders_one_live_per_fan_and_schedule')) throw orderErrors.liveOrderExists(await findLiveOrderId(db, who.id, seen.scheduleId));
        if (isViolation(error, '23514', 'fan_seats_within_limit')) {
          const { held, limit } = await countSeatsHeld(db, who.id, seen.performanceId);
          throw orderErrors.personLimitReached(limit, held);
        }
        throw error;
      }
    },

    /**
     * Offers not claimed in time move on to the next fan (the lapsed fan's entry ends). Safe on
     * every replica at once (SKIP LOCKED); a claim holding the offer's lock wins over it.
     * Returns how many offers lapsed.
     */
    async lapseOffers(): Promise<number> {
      let total = 0;
      for (;;) {
        const lapsed = await db.transaction(async (trx) => {
          const offers = await lockLapsedOffers(trx, now(), LAPSE_BATCH);
          for (const offer of offers) {
            await setOfferStatus(trx, offer.id, 'EXPIRED');
            await setEntryStatus(trx, offer.entryId, 'LAPSED');
            await emitOfferEvent(trx, 'waitlist.offer-expired', { ...offer, status: 'EXPIRED' });
            await handOverSeats(trx, offer.scheduleId, offer.seatIds, 'offer.expired');
          }
          return offers.length;
        });
        total += lapsed;
        if (lapsed < LAPSE_BATCH) return total;
      }
    },

    stats(scheduleId?: string): Promise<WaitlistStats[]> {
      return waitlistStats(db, scheduleId);
    },
  };
}

export type Waitlist = ReturnType<typeof createWaitlist>;
