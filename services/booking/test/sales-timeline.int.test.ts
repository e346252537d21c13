import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expectContractAt } from '@ticketping/testing';
import { paymentEvent, placeOrder, startBooking, type Harness, type SeededPerformance } from './harness.ts';

let h: Harness;
let perf: SeededPerformance;

test.before(async () => {
  h = await startBooking();
  perf = await h.seed({ seats: 10, maxSeatsPerOrder: 3, price: 1000 });
});
test.after(async () => { await h.close(); });

const get = async (path: string, role: 'ADMIN' | 'USER' = 'ADMIN') => {
  const res = await fetch(`${h.base}${path}`, { headers: { ...(await h.headers(randomUUID())), 'x-user-role': role } });
  const body = (await res.json()) as Record<string, unknown>;
  expectContractAt('GET', path, res.status, body);
  return { status: res.status, body };
};

const minuteAgo = (n: number) => new Date((Math.floor(Date.now() / 60_000) - n) * 60_000 + 10_000);
const iso = (at: Date) => new Date(Math.floor(at.getTime() / 60_000) * 60_000).toISOString();

async function sell(seatIds: string[], placedAt: Date, confirmedAt?: Date): Promise<string> {
  const fan = randomUUID();
  const order = await placeOrder(h, fan, perf, seatIds);
  assert.is(order.status, 201);
  if (confirmedAt) await h.service.handleEvent(paymentEvent('payment.succeeded', { paymentId: randomUUID(), orderId: order.body.id, userId: fan, amount: 1000 * seatIds.length }));
  // the sale happened earlier than the test: date the rows as if it had
  await h.db.knex('orders').where({ id: order.body.id }).update({ created_at: placedAt, updated_at: confirmedAt ?? placedAt });
  return order.body.id;
}

test('an organiser opening the page mid-sale gets the seats held and sold in each minute before', async () => {
  const s = perf.seatIds;
  await sell([s[0]!, s[1]!], minuteAgo(90), minuteAgo(89)); // before the window: counted in soldBefore
  await sell([s[2]!, s[3]!, s[4]!], minuteAgo(30), minuteAgo(28));
  await sell([s[5]!], minuteAgo(30)); // held, never paid
  await sell([s[6]!], minuteAgo(5), minuteAgo(5));

  const res = await get(`/api/v1/admin/schedules/${perf.scheduleId}/sales?minutes=60`);
  assert.is(res.status, 200);
  assert.is(res.body.soldBefore, 2);
  assert.equal(res.body.buckets, [
    { minute: iso(minuteAgo(30)), sold: 0, held: 4 },
    { minute: iso(minuteAgo(28)), sold: 3, held: 0 },
    { minute: iso(minuteAgo(5)), sold: 1, held: 1 },
  ]);
  const whole = await get(`/api/v1/admin/schedules/${perf.scheduleId}/sales?minutes=120`);
  assert.is(whole.body.soldBefore, 0);
  assert.is((whole.body.buckets as unknown[]).length, 5);
});

test('the sales timeline is for admins; bad input is a 400 naming the field', async () => {
  const fan = await get(`/api/v1/admin/schedules/${perf.scheduleId}/sales`, 'USER');
  assert.is(fan.status, 403);
  assert.is(fan.body.code, 'ADMIN_ONLY');
  const bad = await get(`/api/v1/admin/schedules/${perf.scheduleId}/sales?minutes=abc`);
  assert.is(bad.status, 400);
  assert.match(JSON.stringify(bad.body), 'minutes');
  const badId = await get('/api/v1/admin/schedules/not-a-uuid/sales');
  assert.is(badId.status, 400);
  const empty = await get(`/api/v1/admin/schedules/${randomUUID()}/sales`);
  assert.equal([empty.status, empty.body.soldBefore, empty.body.buckets], [200, 0, []]);
});

test.run();
