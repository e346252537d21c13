import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually, expectContractAt } from '@ticketping/testing';
import { catalogEvents, placeOrder, startBooking, type Harness, type SeededPerformance } from './harness.ts';

let h: Harness;
let perf: SeededPerformance;

test.before(async () => {
  h = await startBooking();
  perf = await h.seed({ seats: 20, maxSeatsPerOrder: 2, price: 70_000 });
});
test.after(async () => { await h.close(); });

const get = async (path: string, userId: string) => {
  const res = await fetch(`${h.base}${path}`, { headers: await h.headers(userId) });
  const body = (await res.json()) as Record<string, unknown>;
  expectContractAt('GET', path, res.status, body);
  return { status: res.status, body };
};
const del = async (path: string, userId: string, extra: Record<string, string> = {}) => {
  const res = await fetch(`${h.base}${path}`, { method: 'DELETE', headers: await h.headers(userId, undefined, extra) });
  const body = (await res.json()) as Record<string, unknown>;
  expectContractAt('DELETE', path, res.status, body);
  return { status: res.status, body };
};

test('a fan holds seats: 201 PENDING_PAYMENT, priced from the catalog copy, with an expiry', async () => {
  const fan = randomUUID();
  const started = Date.now();
  const res = await placeOrder(h, fan, perf, [perf.seatIds[0]!, perf.seatIds[1]!]);
  assert.is(res.status, 201);
  assert.is(res.body.status, 'PENDING_PAYMENT');
  assert.is(res.body.scheduleId, perf.scheduleId);
  assert.is(res.body.amount, 140_000);
  assert.is(res.body.currency, 'KRW');
  assert.equal((res.body.seats as Array<{ id: string }>).map((s) => s.id).sort(), [perf.seatIds[0], perf.seatIds[1]].sort());
  const ttl = Date.parse(res.body.expiresAt as string) - started;
  assert.ok(ttl > 590_000 && ttl < 610_000, `hold lasts the configured 10 minutes (${ttl} ms)`);
  const read = await get(`/api/v1/orders/${String(res.body.id)}`, fan);
  assert.is(read.status, 200);
  assert.equal(read.body, res.body);
});

test('a seat already held gives 409 SEAT_UNAVAILABLE naming that seat', async () => {
  await placeOrder(h, randomUUID(), perf, [perf.seatIds[2]!]);
  const res = await placeOrder(h, randomUUID(), perf, [perf.seatIds[3]!, perf.seatIds[2]!]);
  assert.is(res.status, 409);
  assert.is(res.body.code, 'SEAT_UNAVAILABLE');
  assert.equal(res.body.seatIds, [perf.seatIds[2]]);
  const retry = await placeOrder(h, randomUUID(), perf, [perf.seatIds[3]!]);
  assert.is(retry.status, 201, 'the free seat of the failed order was not kept');
});

test('a fan has one live order per schedule; cancelling frees the seats at once', async () => {
  const fan = randomUUID();
  const first = await placeOrder(h, fan, perf, [perf.seatIds[4]!]);
  const second = await placeOrder(h, fan, perf, [perf.seatIds[5]!]);
  assert.is(second.status, 409);
  assert.is(second.body.code, 'ACTIVE_ORDER_EXISTS');
  assert.is(second.body.orderId, first.body.id);
  const cancelled = await del(`/api/v1/orders/${String(first.body.id)}`, fan);
  assert.is(cancelled.status, 200);
  assert.is(cancelled.body.status, 'CANCELLED');
  assert.is((await del(`/api/v1/orders/${String(first.body.id)}`, fan)).body.status, 'CANCELLED', 'cancelling again is a no-op');
  const other = await placeOrder(h, randomUUID(), perf, [perf.seatIds[4]!]);
  assert.is(other.status, 201, 'another fan can take the released seat');
  assert.is((await placeOrder(h, fan, perf, [perf.seatIds[5]!])).status, 201, 'and the fan may order again');
});

test("a fan never sees or cancels another fan's order: 404, not 403", async () => {
  const owner = randomUUID();
  const order = await placeOrder(h, owner, perf, [perf.seatIds[6]!]);
  const intruder = randomUUID();
  const read = await get(`/api/v1/orders/${String(order.body.id)}`, intruder);
  assert.is(read.status, 404);
  assert.is(read.body.code, 'ORDER_NOT_FOUND');
  assert.is((await del(`/api/v1/orders/${String(order.body.id)}`, intruder)).status, 404);
  assert.is((await get(`/api/v1/orders/${String(order.body.id)}`, owner)).body.status, 'PENDING_PAYMENT');
  const list = await get('/api/v1/orders', intruder);
  assert.equal(list.body.items, []);
});

test('the caller lists their own orders, newest first, with a cursor', async () => {
  const fan = randomUUID();
  const ids: unknown[] = [];
  for (const seat of [perf.seatIds[7]!, perf.seatIds[8]!, perf.seatIds[9]!]) {
    const o = await placeOrder(h, fan, perf, [seat]);
    ids.push(o.body.id);
    await del(`/api/v1/orders/${String(o.body.id)}`, fan);
  }
  const page1 = await get('/api/v1/orders?limit=2', fan);
  assert.equal((page1.body.items as Array<{ id: string }>).map((o) => o.id), [ids[2], ids[1]]);
  const page2 = await get(`/api/v1/orders?limit=2&cursor=${String(page1.body.nextCursor)}`, fan);
  assert.equal((page2.body.items as Array<{ id: string }>).map((o) => o.id), [ids[0]]);
  assert.is(page2.body.nextCursor, null);
});

test('a paid (non-pending) order cannot be cancelled: 409', async () => {
  const fan = randomUUID();
  const order = await placeOrder(h, fan, perf, [perf.seatIds[10]!]);
  await h.service.handleEvent({
    id: randomUUID(), type: 'payment.succeeded', key: String(order.body.id), occurredAt: new Date().toISOString(),
    payload: { paymentId: randomUUID(), orderId: order.body.id, userId: fan, amount: 70_000, currency: 'KRW' },
  });
  const res = await del(`/api/v1/orders/${String(order.body.id)}`, fan);
  assert.is(res.status, 409);
  assert.is(res.body.code, 'ORDER_NOT_CANCELLABLE');
  assert.is(res.body.status, 'CONFIRMED');
});

test('Idempotency-Key: same key replays the stored response; another body with it is 422', async () => {
  const fan = randomUUID();
  const key = { 'idempotency-key': randomUUID() };
  const first = await placeOrder(h, fan, perf, [perf.seatIds[11]!], key);
  const again = await placeOrder(h, fan, perf, [perf.seatIds[11]!], key);
  assert.is(first.status, 201);
  assert.is(again.status, 201);
  assert.equal(again.body, first.body);
  assert.is(again.headers.get('idempotent-replayed'), 'true');
  const other = await placeOrder(h, fan, perf, [perf.seatIds[12]!], key);
  assert.is(other.status, 422);
  assert.is(other.body.code, 'IDEMPOTENCY_KEY_REUSED');
  const someoneElse = await placeOrder(h, randomUUID(), perf, [perf.seatIds[12]!], key);
  assert.is(someoneElse.status, 201, 'keys are per fan');
});

test('Idempotency-Key: a duplicate sent while the first is in flight gets 409, and only one order exists', async () => {
  const fan = randomUUID();
  const key = { 'idempotency-key': randomUUID() };
  const results = await Promise.all(Array.from({ length: 5 }, () => placeOrder(h, fan, perf, [perf.seatIds[13]!], key)));
  const statuses = results.map((r) => r.status).sort();
  assert.ok(statuses.filter((s) => s === 201).length >= 1, `one succeeded: ${statuses.join(',')}`);
  for (const r of results.filter((x) => x.status === 409)) assert.is(r.body.code, 'IDEMPOTENCY_KEY_IN_USE');
  const ids = new Set(results.filter((r) => r.status === 201).map((r) => r.body.id));
  assert.is(ids.size, 1, 'replays carry the same order');
  const live = await h.db.knex('orders').where({ user_id: fan }).count<{ count: number }[]>('* as count');
  assert.is(Number(live[0]!.count), 1);
});

test('a republished price reaches new orders (within the copy TTL); an existing order keeps its price', async () => {
  const { events, seeded } = catalogEvents({ seats: 2, price: 10_000 });
  for (const event of events) await h.service.handleEvent(event);
  const firstFan = randomUUID();
  const before = await placeOrder(h, firstFan, seeded, [seeded.seatIds[0]!]);
  assert.is(before.body.amount, 10_000);
  const seatsEvent = events.find((e) => e.type === 'seats.published')!;
  const repriced = (seatsEvent.payload as { seats: Array<Record<string, unknown>> }).seats.map((seat) => ({ ...seat, price: 12_000 }));
  await h.service.handleEvent({ ...seatsEvent, id: randomUUID(), payload: { ...(seatsEvent.payload as object), seats: repriced } });
  const after = await eventually(async () => {
    const fan = randomUUID();
    const res = await placeOrder(h, fan, seeded, [seeded.seatIds[1]!]);
    if (res.body.amount === 12_000) return res;
    await del(`/api/v1/orders/${res.body.id}`, fan);
    return undefined;
  }, h.config.CATALOG_COPY_TTL_MS + 3000, 200);
  assert.is(after.status, 201);
  assert.is((await get(`/api/v1/orders/${before.body.id}`, firstFan)).body.amount, 10_000);
});

test.run();
