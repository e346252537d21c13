/**
 * The waitlist of a sold-out schedule (issue 20) on real Postgres: seats that come back are
 * offered in waitlist order and never reach the open seat map while fans wait; an offer is a
 * hold; an unclaimed offer moves on; a claimed one becomes an order paid as any other.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually, expectContract } from '@ticketping/testing';
import { paymentEvent, placeOrder, startBooking, type Body, type Harness, type SeededPerformance } from './harness.ts';

type Entry = Body & { place: number; waiting: number; seatsWanted: number; offer: (Body & { seats: Array<{ id: string }>; expiresAt: string; orderId: string | null }) | null };

async function call(h: Harness, method: string, path: string, userId: string, body?: unknown) {
  const res = await fetch(`${h.base}${path}`, { method, headers: await h.headers(userId), ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, body: (await res.json()) as Entry };
}
const join = async (h: Harness, fan: string, scheduleId: string, seats?: number) => {
  const r = await call(h, 'POST', `/api/v1/waitlist/${scheduleId}/entries`, fan, seats === undefined ? undefined : { seats });
  expectContract('joinWaitlist', r.status, r.body);
  return r;
};
const entryOf = async (h: Harness, fan: string, scheduleId: string) => {
  const r = await call(h, 'GET', `/api/v1/waitlist/${scheduleId}/entries/me`, fan);
  expectContract('getWaitlistEntry', r.status, r.body);
  return r;
};
const claim = async (h: Harness, fan: string, offerId: string) => {
  const r = await call(h, 'POST', `/api/v1/waitlist/offers/${offerId}/claim`, fan);
  expectContract('claimWaitlistOffer', r.status, r.body);
  return r;
};

/** Runs `work` over `items` with at most `lanes` at a time. */
async function inLanes<T>(items: T[], lanes: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: lanes }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

async function sellOut(h: Harness, perf: SeededPerformance): Promise<Array<{ fan: string; orderId: string }>> {
  const holders = perf.seatIds.map((seatId) => ({ fan: randomUUID(), seatId, orderId: '' }));
  await inLanes(holders, 10, async (holder) => {
    const placed = await placeOrder(h, holder.fan, perf, [holder.seatId]);
    assert.is(placed.status, 201);
    holder.orderId = placed.body.id;
  });
  return holders;
}

interface OfferRow { id: string; user_id: string; entry_id: string; seat_ids: string[]; status: string; source: string; created_at: Date; expires_at: Date; position: string }
const offersOf = (h: Harness, scheduleId: string): Promise<OfferRow[]> =>
  h.db.knex('waitlist_offers as o').join('waitlist_entries as e', 'e.id', 'o.entry_id').where('o.schedule_id', scheduleId)
    .orderBy('o.created_at').select('o.*', 'e.position');

test('1,000 waitlisted fans, 50 seats back in a burst: each seat offered in waitlist order, none twice, unclaimed offers move on', async () => {
  const h = await startBooking({ env: { WAITLIST_CLAIM_SECONDS: '2', OFFER_SWEEP_INTERVAL_MS: '100' } });
  try {
    const perf = await h.seed({ seats: 50, maxSeatsPerOrder: 4 });
    const early = await join(h, randomUUID(), perf.scheduleId);
    assert.is(early.body.code, 'SEATS_AVAILABLE', 'nobody waits while seats are on sale');
    const holders = await sellOut(h, perf);

    const fans = Array.from({ length: 1000 }, () => randomUUID());
    await inLanes(fans, 20, async (fan) => {
      const joined = await join(h, fan, perf.scheduleId);
      assert.is(joined.status, 201);
    });
    const order = (await h.db.knex('waitlist_entries').where('schedule_id', perf.scheduleId).orderBy('position').select('user_id')).map((r: { user_id: string }) => r.user_id);
    assert.is(order.length, 1000);
    assert.is((await entryOf(h, order[999]!, perf.scheduleId)).body.place, 1000);

    // The burst: every holder cancels at once.
    await Promise.all(holders.map(async (holder) => {
      const res = await fetch(`${h.base}/api/v1/orders/${holder.orderId}`, { method: 'DELETE', headers: await h.headers(holder.fan) });
      assert.is(res.status, 200);
    }));
    // Nobody else can have them meanwhile: not even a fan with an admission token.
    const outsider = await placeOrder(h, randomUUID(), perf, [perf.seatIds[0]!]);
    assert.is(outsider.body.code, 'SEAT_UNAVAILABLE');

    // Two-second claim windows: let three rounds of offers go by unclaimed.
    const offers = await eventually(async () => {
      const rows = await offersOf(h, perf.scheduleId);
      return rows.length >= 150 ? rows : undefined;
    }, 120_000, 200);

    const first = offers.slice(0, 50);
    assert.equal(first.map((o) => o.user_id), order.slice(0, 50), 'the first 50 fans, in the order they joined');
    assert.ok(first.every((o) => o.source === 'order.cancelled'));
    assert.equal(first.flatMap((o) => o.seat_ids).sort(), [...perf.seatIds].sort(), 'each seat once');
    // Across every offer made: creation order is waitlist order, no fan twice, and a seat is
    // offered again only after its previous offer lapsed.
    const positions = offers.map((o) => Number(o.position));
    assert.equal(positions, [...positions].sort((a, b) => a - b));
    assert.is(new Set(offers.map((o) => o.user_id)).size, offers.length);
    const bySeat = new Map<string, OfferRow[]>();
    for (const o of offers) for (const seat of o.seat_ids) bySeat.set(seat, [...(bySeat.get(seat) ?? []), o]);
    for (const [seat, seatOffers] of bySeat) {
      for (let i = 1; i < seatOffers.length; i++) {
        const [previous, next] = [seatOffers[i - 1]!, seatOffers[i]!];
        assert.ok(next.created_at >= previous.expires_at, `seat ${seat} offered again before its offer lapsed`);
        assert.is(next.source, 'offer.expired');
      }
    }
    assert.is((await entryOf(h, order[0]!, perf.scheduleId)).body.status, 'LAPSED');
    // Every seat is held by exactly one owner, an offer, at any time.
    const holds = await h.db.knex('seat_holds').whereIn('seat_id', perf.seatIds).select('order_id', 'offer_id');
    assert.is(holds.length, 50);
    assert.ok(holds.every((r: { order_id: string | null; offer_id: string | null }) => r.order_id === null && r.offer_id !== null));
  } finally {
    await h.close();
  }
});

test('an expired hold goes to the first fan; the claim is an order paid as any other; a refund goes to the next; a lapsed offer with nobody waiting frees the seat', async () => {
  let clock = Date.now();
  const h = await startBooking({ start: false, now: () => new Date(clock), env: { HOLD_TTL_SECONDS: '5', HOLD_EXPIRY_GRACE_SECONDS: '0' } });
  try {
    const perf = await h.seed({ seats: 2, maxSeatsPerOrder: 2, price: 42_000 });
    const [a, b] = await sellOut(h, perf);
    await h.service.handleEvent(paymentEvent('payment.succeeded', { paymentId: randomUUID(), orderId: b!.orderId, userId: b!.fan, amount: 42_000 }));

    const [w1, w2, w3] = [randomUUID(), randomUUID(), randomUUID()];
    const joined = await join(h, w1, perf.scheduleId);
    assert.equal([joined.status, joined.body.status, joined.body.place, joined.body.seatsWanted], [201, 'WAITING', 1, 1]);
    const again = await join(h, w1, perf.scheduleId, 1);
    assert.equal([again.status, again.body.id], [200, joined.body.id], 'one entry per fan');
    assert.is((await join(h, w2, perf.scheduleId)).body.place, 2);
    const tooMany = await join(h, w3, perf.scheduleId, 3);
    assert.equal([tooMany.status, tooMany.body.code], [400, 'TOO_MANY_SEATS']);
    assert.is((await join(h, w3, perf.scheduleId, 1)).body.place, 3);
    const first = (await entryOf(h, w1, perf.scheduleId)).body;
    assert.equal([first.place, first.waiting], [1, 3], "the line's length beside the place");
    assert.is((await entryOf(h, randomUUID(), perf.scheduleId)).body.code, 'NOT_ON_WAITLIST');

    // A's hold runs out: the seat goes straight to w1.
    clock += 10_000;
    assert.is(await h.service.expireHolds(), 1);
    const offered = (await entryOf(h, w1, perf.scheduleId)).body;
    assert.is(offered.status, 'OFFERED');
    assert.equal(offered.offer!.seats.map((s) => s.id), [perf.seatIds[0]]);
    assert.is(offered.offer!.amount, 42_000);
    assert.ok(new Date(offered.offer!.expiresAt).getTime() > Date.now() + 500_000, 'ten minutes to claim by default');
    assert.is((await placeOrder(h, a!.fan, perf, [perf.seatIds[0]!])).body.code, 'SEAT_UNAVAILABLE', 'not back on the seat map');
    const next = (await entryOf(h, w2, perf.scheduleId)).body;
    assert.equal([next.place, next.waiting], [1, 2], 'w2 is next; the offered fan no longer counts as waiting');
    assert.equal([offered.place, offered.waiting], [0, 2]);

    assert.is((await claim(h, w3, offered.offer!.id)).body.code, 'OFFER_NOT_FOUND', "someone else's offer");
    const claimed = await claim(h, w1, offered.offer!.id);
    assert.equal([claimed.status, claimed.body.status, claimed.body.amount], [201, 'PENDING_PAYMENT', 42_000]);
    const replay = await claim(h, w1, offered.offer!.id);
    assert.equal([replay.status, replay.body.id], [200, claimed.body.id], 'claiming again answers the same order');
    assert.equal(await h.db.knex('seat_holds').where('seat_id', perf.seatIds[0]).select('order_id', 'offer_id'), [{ order_id: claimed.body.id, offer_id: null }]);
    await h.service.handleEvent(paymentEvent('payment.succeeded', { paymentId: randomUUID(), orderId: claimed.body.id, userId: w1, amount: 42_000 }));
    assert.is((await call(h, 'GET', `/api/v1/orders/${claimed.body.id}`, w1)).body.status, 'CONFIRMED');
    assert.is((await entryOf(h, w1, perf.scheduleId)).body.status, 'CLAIMED');

    // w2 leaves; B's order is refunded: the seat goes to w3, skipping w2.
    assert.is((await call(h, 'DELETE', `/api/v1/waitlist/${perf.scheduleId}/entries/me`, w2)).body.status, 'LEFT');
    const paymentId = (await h.db.knex('orders').where('id', b!.orderId).first('payment_id')).payment_id as string;
    await h.service.handleEvent(paymentEvent('payment.refunded', { paymentId, orderId: b!.orderId, userId: b!.fan, amount: 42_000 }));
    const w3Entry = (await entryOf(h, w3, perf.scheduleId)).body;
    assert.equal([w3Entry.status, w3Entry.offer!.seats[0]!.id], ['OFFERED', perf.seatIds[1]]);

    // w3 lets it lapse; nobody else waits, so the seat is on sale again.
    clock += 700_000;
    assert.is(await h.service.lapseOffers(), 1);
    assert.is((await entryOf(h, w3, perf.scheduleId)).body.status, 'LAPSED');
    assert.is((await claim(h, w3, w3Entry.offer!.id)).body.code, 'OFFER_NOT_OPEN');
    assert.is((await placeOrder(h, randomUUID(), perf, [perf.seatIds[1]!])).status, 201);

    const types = (await h.db.knex('outbox').where('topic', 'booking.waitlist').orderBy('seq').select('type')).map((r: { type: string }) => r.type);
    assert.equal(types, [
      'waitlist.joined', 'waitlist.joined', 'waitlist.joined', 'waitlist.offer-made', 'waitlist.offer-claimed',
      'waitlist.left', 'waitlist.offer-made', 'waitlist.offer-expired',
    ]);
  } finally {
    await h.close();
  }
});

test('leaving with an open offer declines it: the seats go to the next fan at once', async () => {
  const h = await startBooking({ start: false });
  try {
    const perf = await h.seed({ seats: 3, maxSeatsPerOrder: 3 });
    const holder = randomUUID();
    const placed = await placeOrder(h, holder, perf, perf.seatIds);
    assert.is(placed.status, 201);
    const [w1, w2] = [randomUUID(), randomUUID()];
    assert.is((await join(h, w1, perf.scheduleId, 2)).status, 201);
    assert.is((await join(h, w2, perf.scheduleId, 2)).status, 201);
    await fetch(`${h.base}/api/v1/orders/${placed.body.id}`, { method: 'DELETE', headers: await h.headers(holder) });
    // 3 seats back: w1 gets the 2 they asked for, w2 the one left.
    const [e1, e2] = [(await entryOf(h, w1, perf.scheduleId)).body, (await entryOf(h, w2, perf.scheduleId)).body];
    assert.equal([e1.offer!.seats.length, e2.offer!.seats.length], [2, 1]);
    const left = await call(h, 'DELETE', `/api/v1/waitlist/${perf.scheduleId}/entries/me`, w1);
    assert.is(left.body.status, 'LEFT');
    assert.is((await h.db.knex('waitlist_offers').where('id', e1.offer!.id).first('status')).status, 'DECLINED');
    // w2 already has an open offer and nobody else waits: w1's seats are back on sale.
    assert.is(await h.db.knex('seat_holds').whereIn('seat_id', e1.offer!.seats.map((s) => s.id)).first(), undefined);
    const list = await call(h, 'GET', '/api/v1/waitlist/offers', w2);
    expectContract('listWaitlistOffers', list.status, list.body);
  } finally {
    await h.close();
  }
});

test('bad input is a clear 4xx; the organiser figures need ADMIN', async () => {
  const h = await startBooking({ start: false });
  try {
    const perf = await h.seed({ seats: 1 });
    const fan = randomUUID();
    assert.equal([(await join(h, fan, 'nope')).body.code, (await join(h, fan, randomUUID())).body.code], ['VALIDATION_FAILED', 'SCHEDULE_NOT_FOUND']);
    const zero = await call(h, 'POST', `/api/v1/waitlist/${perf.scheduleId}/entries`, fan, { seats: 0 });
    assert.equal([zero.status, zero.body.code], [400, 'VALIDATION_FAILED']);
    assert.is((await claim(h, fan, randomUUID())).body.code, 'OFFER_NOT_FOUND');
    const stats = await fetch(`${h.base}/api/v1/admin/waitlist`, { headers: await h.headers(fan) });
    assert.is(stats.status, 403);
    const admin = await fetch(`${h.base}/api/v1/admin/waitlist`, { headers: { ...(await h.headers(fan)), 'x-user-role': 'ADMIN' } });
    const body = await admin.json();
    expectContract('getWaitlistStats', admin.status, body);
  } finally {
    await h.close();
  }
});

test.run();
