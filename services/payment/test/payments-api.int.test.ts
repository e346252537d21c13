import { randomUUID } from 'node:crypto';
import { requestFingerprint } from '@ticketping/idempotency';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually } from '@ticketping/testing';
import { DECLINED, GOOD, OTHER, card, recordEvents, startPayment, type Harness } from './harness.ts';

let h: Harness;
let recorder: Awaited<ReturnType<typeof recordEvents>>;
test.before(async () => {
  h = await startPayment();
  recorder = await recordEvents(h.bus, ['payment.payments']);
});
test.after(async () => {
  await recorder.stop();
  await h.close();
});

test('4242… succeeds at once for the amount of the order, and payment.succeeded is published', async () => {
  const order = await h.createOrder({ amount: 99_000 });
  const res = await h.pay(order.userId, { orderId: order.orderId, method: card(GOOD) });
  assert.is(res.status, 201);
  assert.is(res.body.status, 'SUCCEEDED');
  assert.equal([res.body.orderId, res.body.amount, res.body.currency], [order.orderId, 99_000, 'KRW']);
  assert.equal(res.body.method, { type: 'card', last4: '4242' });
  assert.not.match(JSON.stringify(res.body), /4242424242424242/, 'the card number is never echoed');
  const event = await eventually(() => recorder.of('payment.succeeded').find((e) => e.key === order.orderId));
  assert.equal(event.payload, { paymentId: res.body.id, orderId: order.orderId, userId: order.userId, amount: 99_000, currency: 'KRW' });
  const read = await fetch(`${h.base}/api/v1/payments/${String(res.body.id)}`, { headers: h.headers(order.userId) });
  assert.equal(await read.json(), res.body);
});

test('4000000000000002 is declined (payment.failed); the fan may pay again with another card', async () => {
  const order = await h.createOrder();
  const declined = await h.pay(order.userId, { orderId: order.orderId, method: card(DECLINED) });
  assert.is(declined.status, 201);
  assert.is(declined.body.status, 'FAILED');
  assert.is(declined.body.failureReason, 'CARD_DECLINED');
  const failed = await eventually(() => recorder.of('payment.failed').find((e) => e.key === order.orderId));
  assert.is((failed.payload as { reason: string }).reason, 'CARD_DECLINED');
  const retry = await h.pay(order.userId, { orderId: order.orderId, method: card(GOOD) });
  assert.is(retry.body.status, 'SUCCEEDED');
});

test('any other valid card succeeds after a short delay', async () => {
  const order = await h.createOrder();
  const started = Date.now();
  const res = await h.pay(order.userId, { orderId: order.orderId, method: card(OTHER) });
  assert.is(res.body.status, 'SUCCEEDED');
  assert.ok(Date.now() - started >= h.config.SIMULATED_PROVIDER_DELAY_MS);
});

test('Idempotency-Key: required; the same key replays the response and charges once; another body with it is 422', async () => {
  const order = await h.createOrder();
  const missing = await h.pay(order.userId, { orderId: order.orderId, method: card(GOOD) }, null);
  assert.is(missing.status, 400);
  assert.is(missing.body.code, 'IDEMPOTENCY_KEY_REQUIRED');
  const key = randomUUID();
  const chargesBefore = h.simulator.ledger.charges.size;
  const first = await h.pay(order.userId, { orderId: order.orderId, method: card(GOOD) }, key);
  const again = await h.pay(order.userId, { orderId: order.orderId, method: card(GOOD) }, key);
  assert.equal(again.body, first.body);
  assert.is(again.headers.get('idempotent-replayed'), 'true');
  assert.is(h.simulator.ledger.charges.size - chargesBefore, 1, 'charged once');
  assert.is(Number((await h.db.knex('payments').where('order_id', order.orderId).count<{ n: number }[]>('* as n'))[0]!.n), 1);
  const changed = await h.pay(order.userId, { orderId: order.orderId, method: card(OTHER) }, key);
  assert.is(changed.status, 422);
  assert.is(changed.body.code, 'IDEMPOTENCY_KEY_REUSED');
});

test('the stored Idempotency-Key fingerprint cannot be matched to a card number by hashing candidates', async () => {
  const order = await h.createOrder();
  const key = randomUUID();
  const body = { orderId: order.orderId, method: card(GOOD) };
  assert.is((await h.pay(order.userId, body, key)).status, 201);
  const row = await h.db.knex('idempotency_keys').where({ user_id: order.userId, key }).first<{ fingerprint: string }>('fingerprint');
  // What an attacker with a copy of the table would try: the unkeyed hash of the request with a guessed card.
  assert.ok(row);
  assert.is.not(row.fingerprint, requestFingerprint({ method: 'POST', path: '/api/v1/payments', body }));
  assert.not.ok(row.fingerprint.includes(GOOD));
});

test('Idempotency-Key: a duplicate sent while the first is still charging gets 409', async () => {
  const order = await h.createOrder();
  const key = randomUUID();
  const first = h.pay(order.userId, { orderId: order.orderId, method: card(OTHER) }, key);
  await eventually(async () => (await h.db.knex('payments').where('order_id', order.orderId).first()) !== undefined);
  const duplicate = await h.pay(order.userId, { orderId: order.orderId, method: card(OTHER) }, key);
  assert.is(duplicate.status, 409);
  assert.is(duplicate.body.code, 'IDEMPOTENCY_KEY_IN_USE');
  assert.ok(duplicate.headers.get('retry-after'));
  assert.is((await first).body.status, 'SUCCEEDED');
});

test('an order is paid once: a second payment is 409 (in progress, then already paid)', async () => {
  const order = await h.createOrder();
  const slow = h.pay(order.userId, { orderId: order.orderId, method: card(OTHER) });
  await eventually(async () => (await h.db.knex('payments').where('order_id', order.orderId).first()) !== undefined);
  const during = await h.pay(order.userId, { orderId: order.orderId, method: card(GOOD) });
  assert.is(during.status, 409);
  assert.is(during.body.code, 'PAYMENT_IN_PROGRESS');
  await slow;
  const after = await h.pay(order.userId, { orderId: order.orderId, method: card(GOOD) });
  assert.is(after.status, 409);
  assert.is(after.body.code, 'ORDER_ALREADY_PAID');
});

test('the fan pays milliseconds after the order was created, before order.created reached payment: it waits, then charges', async () => {
  const userId = randomUUID();
  const orderId = randomUUID();
  const paying = h.pay(userId, { orderId, method: card(GOOD) });
  await new Promise((resolve) => setTimeout(resolve, 200)); // the event is late on purpose
  await h.service.handleEvent(h.orderEvent('order.created', { orderId, userId, amount: 5000, currency: 'KRW', expiresAt: new Date(Date.now() + 60_000).toISOString(), seatIds: [] }));
  const res = await paying;
  assert.is(res.status, 201);
  assert.is(res.body.status, 'SUCCEEDED');
  assert.is(res.body.amount, 5000);
});

test('a 404 is not stored under the Idempotency-Key: once the order arrives, the same request pays', async () => {
  const userId = randomUUID();
  const orderId = randomUUID();
  const key = randomUUID();
  const early = await h.pay(userId, { orderId, method: card(GOOD) }, key);
  assert.is(early.status, 404);
  await h.service.handleEvent(h.orderEvent('order.created', { orderId, userId, amount: 3000, currency: 'KRW', expiresAt: new Date(Date.now() + 60_000).toISOString(), seatIds: [] }));
  const retried = await h.pay(userId, { orderId, method: card(GOOD) }, key);
  assert.is(retried.status, 201);
  assert.is(retried.body.status, 'SUCCEEDED');
});

test("an unknown order or someone else's order is 404; so is someone else's payment", async () => {
  const unknown = await h.pay(randomUUID(), { orderId: randomUUID(), method: card(GOOD) });
  assert.is(unknown.status, 404);
  assert.is(unknown.body.code, 'ORDER_NOT_FOUND');
  const order = await h.createOrder();
  const intruder = await h.pay(randomUUID(), { orderId: order.orderId, method: card(GOOD) });
  assert.is(intruder.status, 404);
  assert.is(intruder.body.code, 'ORDER_NOT_FOUND');
  const paid = await h.pay(order.userId, { orderId: order.orderId, method: card(GOOD) });
  const peek = await fetch(`${h.base}/api/v1/payments/${String(paid.body.id)}`, { headers: h.headers(randomUUID()) });
  assert.is(peek.status, 404);
  assert.is(((await peek.json()) as { code: string }).code, 'PAYMENT_NOT_FOUND');
});

test('an order that expired or was cancelled cannot be paid: 409, nothing charged', async () => {
  const expired = await h.createOrder({ expiresInMs: -1000 });
  const late = await h.pay(expired.userId, { orderId: expired.orderId, method: card(GOOD) });
  assert.is(late.status, 409);
  assert.is(late.body.code, 'ORDER_EXPIRED');
  const cancelled = await h.createOrder();
  await h.service.handleEvent(h.orderEvent('order.cancelled', { orderId: cancelled.orderId, userId: cancelled.userId }));
  const res = await h.pay(cancelled.userId, { orderId: cancelled.orderId, method: card(GOOD) });
  assert.is(res.status, 409);
  assert.is(res.body.code, 'ORDER_NOT_PAYABLE');
  assert.is(res.body.status, 'CANCELLED');
  assert.equal(await h.db.knex('payments').whereIn('order_id', [expired.orderId, cancelled.orderId]).select('id'), []);
});

test('bad input is a 4xx naming the field; a client can never set the amount or the status', async () => {
  const order = await h.createOrder();
  const expect = async (body: unknown, status: number, code: string, field?: string) => {
    const res = await h.pay(order.userId, body);
    assert.is(res.status, status, JSON.stringify(res.body));
    assert.is(res.body.code, code);
    assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
    if (field) assert.match(String(res.body.detail), new RegExp(field.replaceAll('.', '\\.')));
  };
  await expect('{"orderId":', 400, 'MALFORMED_JSON');
  await expect({ method: card(GOOD) }, 400, 'VALIDATION_FAILED', 'body.orderId');
  await expect({ orderId: 'x', method: card(GOOD) }, 400, 'VALIDATION_FAILED', 'body.orderId');
  await expect({ orderId: order.orderId }, 400, 'VALIDATION_FAILED', 'body.method');
  await expect({ orderId: order.orderId, method: { type: 'bitcoin' } }, 400, 'VALIDATION_FAILED', 'body.method.type');
  await expect({ orderId: order.orderId, method: card('4242-4242') }, 400, 'VALIDATION_FAILED', 'body.method.cardNumber');
  await expect({ orderId: order.orderId, method: card('4242424242424241') }, 400, 'VALIDATION_FAILED', 'body.method.cardNumber');
  await expect({ orderId: order.orderId, method: card(GOOD), amount: 1 }, 400, 'VALIDATION_FAILED', 'amount');
  await expect({ orderId: order.orderId, method: card(GOOD), status: 'SUCCEEDED' }, 400, 'VALIDATION_FAILED', 'status');
  await expect({ orderId: order.orderId, method: { ...card(GOOD), amount: 1 } }, 400, 'VALIDATION_FAILED', 'amount');
  const badKey = await h.pay(order.userId, { orderId: order.orderId, method: card(GOOD) }, 'k'.repeat(256));
  assert.is(badKey.body.code, 'IDEMPOTENCY_KEY_INVALID');
  const outside = await fetch(`${h.base}/api/v1/payments`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'k1' }, body: '{}' });
  assert.is(outside.status, 401);
  const anonymous = await fetch(`${h.base}/api/v1/payments`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-internal-token': h.config.INTERNAL_TOKEN, 'idempotency-key': 'k1' }, body: '{}' });
  assert.is(anonymous.status, 401);
  assert.is(((await anonymous.json()) as { code: string }).code, 'UNAUTHORIZED');
  const malformedId = await fetch(`${h.base}/api/v1/payments/not-a-uuid`, { headers: h.headers(order.userId) });
  assert.is(malformedId.status, 400);
  assert.match(String(((await malformedId.json()) as { detail: string }).detail), /params\.paymentId/);
  assert.is((await fetch(`${h.base}/api/v1/payments/${randomUUID()}`, { headers: h.headers(order.userId) })).status, 404);
  assert.equal(await h.db.knex('payments').where('order_id', order.orderId).select('id'), [], 'no bad request created a payment');
});

test.run();
