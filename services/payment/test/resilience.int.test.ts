import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually } from '@ticketping/testing';
import type { PaymentProvider } from '../src/provider/provider.ts';
import { GOOD, card, recordEvents, startPayment, type Harness } from './harness.ts';

const metric = async (h: Harness, name: string) => h.metrics.registry.getSingleMetricAsString(name);

test('a charge that times out stays PENDING and is settled by asking the provider, never by charging again', async () => {
  // A provider whose answers get lost: it charges, then the call times out.
  let loseAnswers = true;
  const h = await startPayment({
    env: { PROVIDER_TIMEOUT_MS: '100', RECONCILE_INTERVAL_MS: '100' },
    provider: (sim): PaymentProvider => ({
      ...sim,
      name: sim.name,
      charge: async (request, signal) => {
        const result = await sim.charge(request, signal);
        if (loseAnswers) await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
        return result;
      },
      lookup: (paymentId, signal) => sim.lookup(paymentId, signal),
      refund: (request, signal) => sim.refund(request, signal),
    }),
  });
  const recorder = await recordEvents(h.bus, ['payment.payments']);
  try {
    const order = await h.createOrder();
    const res = await h.pay(order.userId, { orderId: order.orderId, method: card(GOOD) });
    assert.is(res.status, 201);
    assert.is(res.body.status, 'PENDING', 'the outcome is unknown when the provider does not answer in time');
    loseAnswers = false;
    const settled = await eventually(async () => {
      const row = await h.db.knex('payments').where('id', res.body.id).first('status');
      return row.status === 'SUCCEEDED' && row;
    }, 10_000);
    assert.ok(settled);
    await eventually(() => recorder.of('payment.succeeded').some((e) => e.key === order.orderId));
    assert.is(h.simulator.ledger.charges.size, 1, 'charged once');
    assert.match(await metric(h, 'ticketping_payment_provider_duration_seconds'), /operation="charge",outcome="timeout"/);
  } finally {
    await recorder.stop();
    await h.close();
  }
});

test('the circuit opens when the provider keeps failing: 503 at once, nothing charged; it closes again once the provider is back', async () => {
  const h = await startPayment({ env: { PROVIDER_BREAKER_MIN_CALLS: '3', PROVIDER_BREAKER_RESET_MS: '300', RECONCILE_INTERVAL_MS: '3600000' } });
  try {
    h.simulator.configure({ mode: 'fail' });
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const order = await h.createOrder();
      outcomes.push(String((await h.pay(order.userId, { orderId: order.orderId, method: card(GOOD) })).body.status));
    }
    assert.equal(outcomes, ['PENDING', 'PENDING', 'PENDING'], 'failed calls leave the outcome unknown');
    assert.match(await metric(h, 'ticketping_payment_circuit_open'), /ticketping_payment_circuit_open\{[^}]*\} 1/);
    const order = await h.createOrder();
    const started = Date.now();
    const refused = await h.pay(order.userId, { orderId: order.orderId, method: card(GOOD) });
    assert.is(refused.status, 503);
    assert.is(refused.body.code, 'PAYMENT_PROVIDER_UNAVAILABLE');
    assert.ok(refused.headers.get('retry-after'));
    assert.ok(Date.now() - started < 1000, 'fails fast');
    assert.equal(await h.db.knex('payments').where('order_id', order.orderId).select('id'), [], 'nothing recorded, nothing charged');

    h.simulator.configure({ mode: 'normal' });
    const back = await eventually(async () => {
      const res = await h.pay(order.userId, { orderId: order.orderId, method: card(GOOD) });
      return res.status === 201 ? res : undefined;
    }, 5000, 100);
    assert.is(back.body.status, 'SUCCEEDED');
    assert.match(await metric(h, 'ticketping_payment_circuit_open'), /ticketping_payment_circuit_open\{[^}]*\} 0/);
  } finally {
    await h.close();
  }
});

test('order.refund-requested refunds the payment once (even delivered twice), retrying while the provider fails', async () => {
  const h = await startPayment({ env: { REFUND_INTERVAL_MS: '50', PROVIDER_BREAKER_MIN_CALLS: '1000' } });
  const recorder = await recordEvents(h.bus, ['payment.payments']);
  try {
    const order = await h.createOrder({ amount: 7000 });
    const paid = await h.pay(order.userId, { orderId: order.orderId, method: card(GOOD) });
    h.simulator.configure({ mode: 'fail' });
    const request = h.orderEvent('order.refund-requested', { orderId: order.orderId, userId: order.userId, paymentId: paid.body.id, reason: 'ORDER_EXPIRED' });
    assert.is(await h.service.handleEvent(request), 'applied');
    assert.is(await h.service.handleEvent(request), 'duplicate');
    await h.service.handleEvent({ ...request, id: randomUUID() }); // the same request re-sent under a new id
    await eventually(async () => (await h.db.knex('payments').where('id', paid.body.id).first('refund_attempts')).refund_attempts >= 1);
    assert.is((await h.db.knex('payments').where('id', paid.body.id).first('status')).status, 'SUCCEEDED', 'not refunded while the provider fails');
    h.simulator.configure({ mode: 'normal' });
    await h.db.knex('payments').where('id', paid.body.id).update({ next_refund_attempt_at: new Date() }); // skip the backoff pause
    const refunded = await eventually(() => recorder.of('payment.refunded').find((e) => e.key === order.orderId), 10_000);
    assert.equal(refunded.payload, { paymentId: paid.body.id, orderId: order.orderId, userId: order.userId, amount: 7000, currency: 'KRW', reason: 'ORDER_EXPIRED' });
    const read = await fetch(`${h.base}/api/v1/payments/${String(paid.body.id)}`, { headers: h.headers(order.userId) });
    assert.is(((await read.json()) as { status: string }).status, 'REFUNDED');
    assert.is(h.simulator.ledger.refunds.size, 1, 'paid back once');
    assert.match(await metric(h, 'ticketping_payment_total'), /status="REFUNDED"[^}]*\} 1/);
  } finally {
    await recorder.stop();
    await h.close();
  }
});

test('a poison message goes to the dead-letter topic and is counted', async () => {
  const h = await startPayment();
  const dlq = await recordEvents(h.bus, ['booking.orders.dlq']);
  try {
    const poison = h.orderEvent('order.created', { orderId: randomUUID(), amount: 'lots' });
    await h.bus.publish('booking.orders', [poison]);
    const dead = await eventually(() => dlq.events.find((e) => e.id === poison.id), 15_000);
    assert.match(dead.headers?.['x-dlq-error'] ?? '', /amount|userId/);
    assert.match(await metric(h, 'ticketping_bus_dead_letter_total'), /group="payment"[^}]*topic="booking.orders"[^}]*\} 1|topic="booking.orders"[^}]*group="payment"[^}]*\} 1/);
    assert.equal(await h.db.knex('orders').select('order_id'), [], 'nothing of it was applied');
  } finally {
    await dlq.stop();
    await h.close();
  }
});

test.run();
