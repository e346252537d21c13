/**
 * Face-value returns in booking alone (issue 20), on real Postgres: the refusals a fan can meet
 * (event over, a transferred, revoked or used ticket, bad ids), and the seat's path when a buyer's
 * order or the seller's order ends before a sale. Ticket and payment events are fed as the tickets
 * service and payment publish them; tickets/test/returns.int.test.ts runs the whole path.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BusEvent } from '@ticketping/bus';
import { eventually, expectContract } from '@ticketping/testing';
import { paymentEvent, placeOrder, recordEvents, startBooking, type Body, type Harness, type SeededPerformance } from './harness.ts';

let clock = Date.now();
let h: Harness;
test.before(async () => { h = await startBooking({ now: () => new Date(clock), env: { CATALOG_COPY_TTL_MS: '0', RETURN_FEE_PERCENT: '10', RETURN_FEE_MINIMUM: '6000' } }); });
test.after(async () => { await h.close(); });

const ticketEvent = (type: string, payload: Record<string, unknown>): BusEvent => ({ id: randomUUID(), type, key: String(payload.ticketId), occurredAt: new Date().toISOString(), payload });

/** A fan's confirmed order of one seat and its ticket, as payment and the tickets service report them. */
async function ticketed(perf: SeededPerformance, seatId: string) {
  const fan = randomUUID();
  const placed = await placeOrder(h, fan, perf, [seatId]);
  assert.is(placed.status, 201);
  await h.service.handleEvent(paymentEvent('payment.succeeded', { paymentId: randomUUID(), orderId: placed.body.id, userId: fan, amount: perf.price }));
  const ticketId = randomUUID();
  const facts = { ticketId, orderId: placed.body.id, userId: fan, performanceId: perf.performanceId, scheduleId: perf.scheduleId, seatId, version: 1 };
  await h.service.handleEvent(ticketEvent('ticket.issued', facts));
  return { fan, orderId: placed.body.id, ticketId, facts };
}

async function call(method: string, path: string, userId: string, body?: unknown) {
  const res = await fetch(`${h.base}${path}`, { method, headers: await h.headers(userId), ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, body: (await res.json()) as Body };
}
const quote = async (fan: string, ticketId: string) => {
  const r = await call('GET', `/api/v1/returns/tickets/${ticketId}/quote`, fan);
  expectContract('quoteTicketReturn', r.status, r.body);
  return r;
};
const returnTicket = async (fan: string, ticketId: string) => {
  const r = await call('POST', '/api/v1/returns', fan, { ticketId });
  expectContract('returnTicket', r.status, r.body);
  return r;
};
const holderOf = async (seatId: string) => (await h.db.knex('seat_holds').where('seat_id', seatId).first()) as { order_id: string | null; offer_id: string | null } | undefined;

test('refusals: bad ids, someone else\'s, transferred, revoked, used, and a date that has started', async () => {
  const perf = await h.seed({ seats: 6, price: 50_000 });
  const a = await ticketed(perf, perf.seatIds[0]!);
  assert.equal([(await quote(a.fan, 'not-a-uuid')).status], [400]);
  assert.equal([(await call('POST', '/api/v1/returns', a.fan, { ticketId: a.ticketId, price: 1 })).status], [400], 'no price field');
  assert.equal([(await call('DELETE', '/api/v1/returns/nope', a.fan)).status], [400]);
  const q = await quote(a.fan, a.ticketId);
  assert.equal([q.status, q.body.price, q.body.fee, q.body.refund], [200, 50_000, 6_000, 44_000], 'the fee: 10 %, at least 6,000');
  assert.equal([(await quote(randomUUID(), a.ticketId)).body.code], ['NOT_TICKET_HOLDER']);

  const b = await ticketed(perf, perf.seatIds[1]!);
  const receiver = randomUUID();
  await h.service.handleEvent(ticketEvent('ticket.transferred', { ...b.facts, userId: receiver, fromUserId: b.fan, version: 2, previousVersion: 1 }));
  assert.equal([(await quote(b.fan, b.ticketId)).body.code], ['NOT_TICKET_HOLDER'], 'given away');
  assert.equal([(await quote(receiver, b.ticketId)).body.code], ['RETURN_NOT_ALLOWED'], 'the refund would go to the buyer\'s card');

  const c = await ticketed(perf, perf.seatIds[2]!);
  await h.service.handleEvent(ticketEvent('ticket.revoked', { ...c.facts, reason: 'ORDER_REFUNDED' }));
  assert.equal([(await returnTicket(c.fan, c.ticketId)).body.code], ['TICKET_REVOKED']);

  const d = await ticketed(perf, perf.seatIds[3]!);
  await h.service.handleEvent(ticketEvent('ticket.checked-in', { checkInId: randomUUID(), ticketId: d.ticketId, performanceId: perf.performanceId, scheduleId: perf.scheduleId, gate: 'North', scannedAt: new Date().toISOString() }));
  assert.equal([(await returnTicket(d.fan, d.ticketId)).body.code], ['TICKET_CHECKED_IN']);

  const e = await ticketed(perf, perf.seatIds[4]!);
  clock = Date.now() + 8 * 24 * 3600_000; // the schedule starts 7 days after seeding
  try {
    assert.equal([(await returnTicket(e.fan, e.ticketId)).status, (await quote(e.fan, e.ticketId)).body.code], [409, 'EVENT_OVER']);
  } finally {
    clock = Date.now();
  }
  assert.is((await h.db.knex('seat_returns').where('schedule_id', perf.scheduleId)).length, 0, 'nothing was listed');
});

test('a used or given-away ticket\'s listing is withdrawn; a buyer who does not pay gives the seat back to its seller; a refunded seller order ends its listing', async () => {
  const perf = await h.seed({ seats: 4, price: 50_000 });
  const recorder = await recordEvents(h.bus, ['booking.orders']);
  try {
    const used = await ticketed(perf, perf.seatIds[0]!);
    const listedUsed = await returnTicket(used.fan, used.ticketId);
    assert.is(listedUsed.status, 201);
    await h.service.handleEvent(ticketEvent('ticket.checked-in', { checkInId: randomUUID(), ticketId: used.ticketId, performanceId: perf.performanceId, scheduleId: perf.scheduleId, gate: 'North', scannedAt: new Date().toISOString() }));
    assert.is((await h.db.knex('seat_returns').where('id', listedUsed.body.id).first()).status, 'WITHDRAWN');

    // Given away after listing: the receiver's ticket is not for sale, the listing ends.
    const giver = await ticketed(perf, perf.seatIds[3]!);
    const givenListing = await returnTicket(giver.fan, giver.ticketId);
    await h.service.handleEvent(ticketEvent('ticket.transferred', { ...giver.facts, userId: randomUUID(), fromUserId: giver.fan, version: 2, previousVersion: 1 }));
    assert.is((await h.db.knex('seat_returns').where('id', givenListing.body.id).first()).status, 'WITHDRAWN');

    const seller = await ticketed(perf, perf.seatIds[1]!);
    await ticketed(perf, perf.seatIds[2]!); // sold out now
    const buyer = randomUUID();
    assert.is((await call('POST', `/api/v1/waitlist/${perf.scheduleId}/entries`, buyer, { seats: 1 })).status, 201);
    const listed = await returnTicket(seller.fan, seller.ticketId);
    const entry = await call('GET', `/api/v1/waitlist/${perf.scheduleId}/entries/me`, buyer);
    const offer = entry.body.offer as { id: string };
    const claimed = await call('POST', `/api/v1/waitlist/offers/${offer.id}/claim`, buyer);
    assert.equal([claimed.status, claimed.body.amount], [201, 50_000]);
    assert.equal(await holderOf(perf.seatIds[1]!), { seat_id: perf.seatIds[1], order_id: claimed.body.id, offer_id: null });
    // The buyer lets the hold run out: nobody else waits, so the seat is the seller's again, still listed.
    await h.db.knex('orders').where('id', claimed.body.id).update({ expires_at: new Date(Date.now() - 3600_000) });
    // (the service's own sweeper may get there first: either way the order expires once)
    await eventually(async () => {
      await h.service.expireHolds();
      return (await h.db.knex('orders').where('id', claimed.body.id).first()).status === 'EXPIRED' || undefined;
    });
    assert.equal(await holderOf(perf.seatIds[1]!), { seat_id: perf.seatIds[1], order_id: seller.orderId, offer_id: null });
    assert.is((await h.db.knex('seat_returns').where('id', listed.body.id).first()).status, 'LISTED');

    // The seller's order is refunded whole (say the fan asked support): the listing ends, the seat is released.
    const paymentId = (await h.db.knex('orders').where('id', seller.orderId).first()).payment_id as string;
    await h.service.handleEvent(paymentEvent('payment.refunded', { paymentId, orderId: seller.orderId, userId: seller.fan, amount: 50_000 }));
    assert.is((await h.db.knex('seat_returns').where('id', listed.body.id).first()).status, 'WITHDRAWN');
    assert.is(await holderOf(perf.seatIds[1]!), undefined);
    await eventually(() => {
      const withdrawn = recorder.of('return.withdrawn').map((e) => (e.payload as { returnId: string }).returnId);
      return (withdrawn.includes(listed.body.id) && withdrawn.includes(listedUsed.body.id)) || undefined;
    });
    assert.is(recorder.of('return.sold').length, 0);
    // The organiser's gauge, read from the database at scrape time.
    const gauge = (await h.metrics.registry.metrics()).split('\n').filter((l) => l.startsWith('ticketping_returns{') && l.includes(`schedule_id="${perf.scheduleId}"`));
    assert.equal(gauge.map((l) => [/status="(\w+)"/.exec(l)?.[1], l.split(' ').at(-1)]), [['LISTED', '0'], ['SOLD', '0'], ['REFUNDED', '0'], ['WITHDRAWN', '3']], gauge.join('\n'));
    // The organiser's admin figures: the same rows.
    const stats = await fetch(`${h.base}/api/v1/admin/waitlist`, { headers: { ...(await h.headers(randomUUID())), 'x-user-role': 'ADMIN' } });
    const body = (await stats.json()) as { items: Array<{ scheduleId: string; returns: Record<string, number> }> };
    expectContract('getWaitlistStats', stats.status, body);
    assert.equal(body.items.find((s) => s.scheduleId === perf.scheduleId)?.returns, { LISTED: 0, SOLD: 0, REFUNDED: 0, WITHDRAWN: 3 });
  } finally {
    await recorder.stop();
  }
});

test.run();
