import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { placeOrder, startBooking, type Harness } from './harness.ts';

let h: Harness;
test.before(async () => { h = await startBooking(); });
test.after(async () => { await h.close(); });

test('500 concurrent fans racing for the same 100 seats: exactly 100 seats in live orders, every loser 409 SEAT_UNAVAILABLE', async () => {
  const perf = await h.seed({ seats: 100, maxSeatsPerOrder: 2 });
  const seat = (i: number) => perf.seatIds[i % 100]!;
  // 400 fans want one seat each (every seat wanted by four), 100 want two neighbouring seats.
  const wants = Array.from({ length: 500 }, (_, i) => (i < 400 ? [seat(i)] : [seat(i), seat(i + 1)]));
  const results = await Promise.all(wants.map((seatIds) => placeOrder(h, randomUUID(), perf, seatIds)));

  const winners = results.filter((r) => r.status === 201);
  const losers = results.filter((r) => r.status !== 201);
  for (const loser of losers) {
    assert.is(loser.status, 409, JSON.stringify(loser.body));
    assert.is(loser.body.code, 'SEAT_UNAVAILABLE');
    assert.ok((loser.body.seatIds as string[]).length > 0, 'the 409 names the seats');
  }
  const sold = winners.flatMap((w) => (w.body.seats as Array<{ id: string }>).map((s) => s.id));
  assert.is(new Set(sold).size, sold.length, 'no seat is in two winning orders');
  assert.is(sold.length, 100, 'every seat was sold once');

  const held = await h.db.knex('seat_holds').count<{ n: number }[]>('* as n');
  assert.is(Number(held[0]!.n), 100);
  const doubleSold = await h.db.knex.raw(`select os.seat_id from order_seats os join orders o on o.id = os.order_id
    where o.status in ('PENDING_PAYMENT', 'CONFIRMED') group by os.seat_id having count(*) > 1`);
  assert.equal(doubleSold.rows, []);
  const live = await h.db.knex('orders').where('status', 'PENDING_PAYMENT').count<{ n: number }[]>('* as n');
  assert.is(Number(live[0]!.n), winners.length, 'a losing request left no order behind');
  const metrics = await h.metrics.registry.getSingleMetricAsString('ticketping_booking_holds_total');
  assert.match(metrics, new RegExp(`outcome="held"[^}]*} ${winners.length}\\b`));
  assert.match(metrics, new RegExp(`outcome="seat_unavailable"[^}]*} ${losers.length}\\b`));
});

test.run();
