/**
 * Waitlist figures (issue 20): FANS fans wait on a sold-out schedule of SEATS seats; every holder
 * cancels at once. Prints offers per second under the burst, the time from a seat coming back (the
 * cancel request) to its offer reaching the fan (the offer event delivered by the outbox relay),
 * and, with CLAIM_RATE of offered fans claiming after a random pause within the window, the share
 * of returned seats resold (claimed) within one claim window of coming back.
 *
 * SOURCE=returns takes the face-value returns path instead: the holders' orders are confirmed and
 * their tickets issued (the events booking consumes), then every holder returns their ticket at
 * once (POST /api/v1/returns). A seat is then resold when the claiming fan's order is confirmed
 * (its payment event), which is when the return turns SOLD: that is what the resold share counts.
 *
 *   set -a; source .testenv/env.sh; set +a
 *   node --conditions=source bench/waitlist/burst.ts   # FANS=1000 SEATS=50 CLAIM_SECONDS=4 CLAIM_RATE=0.7 SOURCE=cancel|returns
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '@ticketping/testing';
import { paymentEvent, placeOrder, recordEvents, startBooking } from '../../services/booking/test/harness.ts';

const FANS = Number(process.env.FANS ?? 1000);
const SEATS = Number(process.env.SEATS ?? 50);
const CLAIM_SECONDS = Number(process.env.CLAIM_SECONDS ?? 4);
const CLAIM_RATE = Number(process.env.CLAIM_RATE ?? 0.7);
const RETURNS = process.env.SOURCE === 'returns';

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;

async function inLanes<T>(items: T[], lanes: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: lanes }, async () => { while (next < items.length) await work(items[next++]!); }));
}

const h = await startBooking({ env: { WAITLIST_CLAIM_SECONDS: String(CLAIM_SECONDS), OFFER_SWEEP_INTERVAL_MS: '100', OUTBOX_POLL_INTERVAL_MS: '20' } });
try {
  const perf = await h.seed({ seats: SEATS, maxSeatsPerOrder: 4 });
  const holders = perf.seatIds.map((seatId) => ({ fan: randomUUID(), seatId, orderId: '' }));
  await inLanes(holders, 10, async (holder) => { holder.orderId = (await placeOrder(h, holder.fan, perf, [holder.seatId])).body.id; });
  const tickets = new Map<string, string>(); // seatId → the holder's ticket
  if (RETURNS) {
    // paid and ticketed, as payment and the tickets service would report it
    await inLanes(holders, 10, async (holder) => {
      await h.service.handleEvent(paymentEvent('payment.succeeded', { paymentId: randomUUID(), orderId: holder.orderId, userId: holder.fan, amount: perf.price }));
      const ticketId = randomUUID();
      tickets.set(holder.seatId, ticketId);
      await h.service.handleEvent({
        id: randomUUID(), type: 'ticket.issued', key: ticketId, occurredAt: new Date().toISOString(),
        payload: { ticketId, orderId: holder.orderId, userId: holder.fan, performanceId: perf.performanceId, scheduleId: perf.scheduleId, seatId: holder.seatId, version: 1 },
      });
    });
  }
  await inLanes(Array.from({ length: FANS }, () => randomUUID()), 20, async (fan) => {
    const res = await fetch(`${h.base}/api/v1/waitlist/${perf.scheduleId}/entries`, { method: 'POST', headers: await h.headers(fan) });
    if (res.status !== 201) throw new Error(`join answered ${res.status}`);
  });

  const received = new Map<string, number>(); // offerId → when the fan's event arrived
  const cameBack = new Map<string, number>(); // seatId → when its holder cancelled
  const claims: Array<Promise<void>> = [];
  const recorder = await recordEvents(h.bus, ['booking.waitlist']);
  const seen = new Set<string>();
  const watcher = setInterval(() => {
    for (const event of recorder.of('waitlist.offer-made')) {
      const offer = event.payload as { offerId: string; userId: string };
      if (seen.has(offer.offerId)) continue;
      seen.add(offer.offerId);
      received.set(offer.offerId, performance.now());
      if (Math.random() < CLAIM_RATE) {
        claims.push((async () => {
          await sleep(Math.random() * CLAIM_SECONDS * 800);
          const res = await fetch(`${h.base}/api/v1/waitlist/offers/${offer.offerId}/claim`, { method: 'POST', headers: await h.headers(offer.userId) });
          if (!RETURNS || res.status !== 201) return;
          // the claiming fan pays at once: the confirmation is what sells a returned seat
          const order = (await res.json()) as { id: string; amount: number };
          await h.service.handleEvent(paymentEvent('payment.succeeded', { paymentId: randomUUID(), orderId: order.id, userId: offer.userId, amount: order.amount }));
        })());
      }
    }
  }, 5);

  const burstStart = performance.now();
  await Promise.all(holders.map(async (holder) => {
    cameBack.set(holder.seatId, performance.now());
    if (RETURNS) {
      const res = await fetch(`${h.base}/api/v1/returns`, { method: 'POST', headers: await h.headers(holder.fan), body: JSON.stringify({ ticketId: tickets.get(holder.seatId) }) });
      if (res.status !== 201) throw new Error(`return answered ${res.status}: ${await res.text()}`);
    } else {
      await fetch(`${h.base}/api/v1/orders/${holder.orderId}`, { method: 'DELETE', headers: await h.headers(holder.fan) });
    }
  }));
  await eventually(() => received.size >= SEATS, 120_000, 5);
  const burstOffers = [...received.values()].slice(0, SEATS);
  const lastOffer = Math.max(...burstOffers);

  // Let one claim window (and a little) pass, then count what was resold.
  await sleep(CLAIM_SECONDS * 1000 + 1500);
  clearInterval(watcher);
  await Promise.all(claims);
  const offers = await h.db.knex('waitlist_offers').where('schedule_id', perf.scheduleId).select('id', 'seat_ids', 'status', 'source', 'created_at', 'updated_at');
  const firstRound = offers.filter((o: { source: string }) => o.source === (RETURNS ? 'ticket.returned' : 'order.cancelled')) as Array<{ id: string; seat_ids: string[] }>;
  const delays = firstRound.map((o) => received.get(o.id)! - cameBack.get(o.seat_ids[0]!)!).filter((d) => Number.isFinite(d));
  const claimedInWindow = RETURNS
    ? Number((await h.db.knex('seat_returns').where({ schedule_id: perf.scheduleId, status: 'SOLD' }).count<{ count: string }[]>('* as count'))[0]?.count ?? 0)
    : offers.filter((o: { status: string }) => o.status === 'CLAIMED').length;

  process.stdout.write(`${JSON.stringify({
    source: RETURNS ? 'returns' : 'cancel', fans: FANS, seats: SEATS, claimSeconds: CLAIM_SECONDS, claimRate: CLAIM_RATE,
    offersPerSecond: Math.round(SEATS / ((lastOffer - burstStart) / 1000)),
    seatBackToOfferMs: { p50: Math.round(quantile(delays, 0.5)), p95: Math.round(quantile(delays, 0.95)), max: Math.round(Math.max(...delays)) },
    resoldWithinWindow: `${claimedInWindow}/${SEATS}`,
  }, null, 2)}\n`);
  await recorder.stop();
} finally {
  await h.close();
}
