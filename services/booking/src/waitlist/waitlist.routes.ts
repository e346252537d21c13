import type { Router } from 'express';
import { NewWaitlistEntry, offerIdParams, scheduleIdParams, type WaitlistEntry as EntryBody, type WaitlistOffer as OfferBody } from '@ticketping/contracts/http';
import { caller, requireAdmin, requireInternalCaller, validate } from '@ticketping/http';
import type { Idempotency } from '@ticketping/idempotency';
import { orderResponse } from '../orders/orders.types.ts';
import type { EntryView, OfferView, Waitlist } from './waitlist.service.ts';

const OFFERS_LISTED = 20;

export function offerResponse({ offer, seats, currency }: OfferView): OfferBody {
  return {
    id: offer.id, scheduleId: offer.scheduleId, performanceId: offer.performanceId, status: offer.status, seats,
    amount: seats.reduce((sum, s) => sum + s.price, 0), currency, expiresAt: offer.expiresAt.toISOString(), orderId: offer.orderId,
    createdAt: offer.createdAt.toISOString(),
  };
}

export function entryResponse({ entry, place, waiting, offer }: EntryView): EntryBody {
  return {
    id: entry.id, scheduleId: entry.scheduleId, performanceId: entry.performanceId, status: entry.status, seatsWanted: entry.seatsWanted,
    place, waiting, joinedAt: entry.createdAt.toISOString(), offer: offer ? offerResponse(offer) : null,
  };
}

/**
 * The waitlist routes behind the gateway's credential. Joining is capped per client address by
 * the gateway, like the waiting room's entry, and reaches here only with the same checks.
 */
export function mountWaitlistRoutes(router: Router, deps: { waitlist: Waitlist; idempotency: Idempotency; internalToken: string }): void {
  const { waitlist, idempotency } = deps;
  router.use(['/api/v1/waitlist', '/api/v1/admin/waitlist'], requireInternalCaller(deps.internalToken));

  router.post('/api/v1/waitlist/:scheduleId/entries', async (req, res) => {
    const who = caller(req);
    const { scheduleId } = validate.params(scheduleIdParams, req);
    req.body ??= {}; // the body is optional: one seat
    const { seats, proofOfWork } = validate.body(NewWaitlistEntry, req);
    const { view, created } = await waitlist.join(who, { scheduleId, seats, proofOfWork });
    res.status(created ? 201 : 200).json(entryResponse(view));
  });

  router.get('/api/v1/waitlist/offers', async (req, res) => {
    const who = caller(req);
    res.json({ items: (await waitlist.listOffers(who, OFFERS_LISTED)).map(offerResponse) });
  });

  router.get('/api/v1/waitlist/:scheduleId/entries/me', async (req, res) => {
    const who = caller(req);
    const { scheduleId } = validate.params(scheduleIdParams, req);
    res.json(entryResponse(await waitlist.status(who, scheduleId)));
  });

  router.delete('/api/v1/waitlist/:scheduleId/entries/me', async (req, res) => {
    const who = caller(req);
    const { scheduleId } = validate.params(scheduleIdParams, req);
    res.json(entryResponse(await waitlist.leave(who, scheduleId)));
  });

  // Claiming is its own idempotency (a claimed offer answers with its order); a key is accepted too.
  router.post('/api/v1/waitlist/offers/:offerId/claim', idempotency.route(async (req) => {
    const who = caller(req);
    const { offerId } = validate.params(offerIdParams, req);
    const { order, created } = await waitlist.claim(who, offerId);
    return { status: created ? 201 : 200, body: orderResponse(order) };
  }));

  router.get('/api/v1/admin/waitlist', async (req, res) => {
    requireAdmin(req);
    res.json({ items: await waitlist.stats() });
  });
}
