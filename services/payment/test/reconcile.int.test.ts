/**
 * Money and orders reconcile, payment alone (booking's events are delivered by hand): a charge
 * the provider settles late is never FAILED, and a SUCCEEDED payment ends with its order
 * CONFIRMED or its money refunded whatever event went missing.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually } from '@ticketping/testing';
import { GOOD, card, recordEvents, startPayment, type Harness } from './harness.ts';

const statusOf = async (h: Harness, paymentId: string) => ((await h.db.knex('payments').where('id', paymentId).first('status')) as { status: string }).status;

test('a charge the provider settles after the call timed out stays PENDING (never FAILED) and ends SUCCEEDED, charged once', async () => {
  const h = await startPayment({ env: { PROVIDER_TIMEOUT_MS: '100', RECONCILE_INTERVAL_MS: '100', SIMULATED_PROVIDER_MODE: 'late', SIMULATED_PROVIDER_LATE_MS: '3000' } });
  const recorder = await recordEvents(h.bus, ['payment.payments']);
  try {
    h.simulator.configure({ mode: 'late', lateMs: 3000 });
    const order = await h.createOrder();
    const res = await h.pay(order.userId, { orderId: order.orderId, method: card(GOOD) });
    assert.is(res.status, 201);
    assert.is(res.body.status, 'PENDING', 'the call timed out: the outcome is unknown');
    // The reconciler asks the provider from 1.2 s on (twice the timeout + 1 s) and hears `not_found`
    // until the charge settles at 3 s: the old reconciler marked it FAILED right then.
    const seen = new Set<string>();
    const final = await eventually(async () => {
      const status = await statusOf(h, res.body.id);
      seen.add(status);
      return status !== 'PENDING' && status;
    }, 15_000, 25);
    assert.is(final, 'SUCCEEDED');
    assert.not.ok(seen.has('FAILED'));
    assert.is(h.simulator.ledger.charges.size, 1, 'charged once');
    await eventually(() => recorder.of('payment.succeeded').some((e) => e.key === order.orderId));
    assert.equal(recorder.of('payment.failed'), []);
  } finally {
    await recorder.stop();
    await h.close();
  }
});

test('a charge the provider still does not know after the settlement window is FAILED (NOT_CHARGED)', async () => {
  const h = await startPayment({ env: { PROVIDER_TIMEOUT_MS: '100', RECONCILE_INTERVAL_MS: '100', PROVIDER_SETTLEMENT_WINDOW_MS: '2000' } });
  try {
    h.simulator.configure({ mode: 'slow', slowMs: 60_000 }); // the charge never reaches the provider's books
    const order = await h.createOrder();
    const res = await h.pay(order.userId, { orderId: order.orderId, method: card(GOOD) });
    assert.is(res.body.status, 'PENDING');
    h.simulator.configure({ mode: 'normal' });
    const started = Date.now();
    await eventually(async () => (await statusOf(h, res.body.id)) === 'FAILED', 10_000);
    assert.ok(Date.now() - started >= 1500, 'not before the window');
    assert.is((await h.db.knex('payments').where('id', res.body.id).first('failure_reason')).failure_reason, 'NOT_CHARGED');
  } finally {
    await h.close();
  }
});

test('a SUCCEEDED payment whose order expired is refunded although booking never asked', async () => {
  const h = await startPayment({ env: { ORDER_RECONCILE_AFTER_MS: '0', ORDER_RECONCILE_INTERVAL_MS: '100', REFUND_INTERVAL_MS: '100' } });
  const recorder = await recordEvents(h.bus, ['payment.payments']);
  try {
    const order = await h.createOrder();
    const paid = await h.pay(order.userId, { orderId: order.orderId, method: card(GOOD) });
    assert.is(paid.body.status, 'SUCCEEDED');
    // Booking expired the order; its order.refund-requested was lost (say, dead-lettered).
    await h.service.handleEvent(h.orderEvent('order.expired', { orderId: order.orderId }));
    await eventually(async () => (await statusOf(h, paid.body.id)) === 'REFUNDED', 10_000);
    assert.is(h.simulator.ledger.refunds.size, 1, 'paid back once');
    await eventually(() => recorder.of('payment.refunded').some((e) => e.key === order.orderId));
    assert.match(await h.metrics.registry.getSingleMetricAsString('ticketping_payment_reconciled_total'), /action="refund_requested"[^}]*\} 1/);
  } finally {
    await recorder.stop();
    await h.close();
  }
});

test('a SUCCEEDED payment whose order is not confirmed is announced to booking again, with pauses, until the order is', async () => {
  const h = await startPayment({ env: { ORDER_RECONCILE_AFTER_MS: '0', ORDER_RECONCILE_INTERVAL_MS: '3600000' } });
  const recorder = await recordEvents(h.bus, ['payment.payments']);
  const reconcile = () => h.service.orderReconciliation.reconcileOrders();
  const skipPause = (id: string) => h.db.knex('payments').where('id', id).update({ next_reconcile_at: new Date(0) });
  try {
    const order = await h.createOrder();
    const paid = await h.pay(order.userId, { orderId: order.orderId, method: card(GOOD) });
    const announcements = () => recorder.of('payment.succeeded').filter((e) => e.key === order.orderId);
    await eventually(() => announcements().length === 1);

    assert.equal(await reconcile(), { refundsRequested: 0, announced: 1 });
    assert.equal(await reconcile(), { refundsRequested: 0, announced: 0 }, 'the next announcement waits for its pause');
    const row = await h.db.knex('payments').where('id', paid.body.id).first('reconcile_attempts', 'next_reconcile_at');
    assert.is(row.reconcile_attempts, 1);
    assert.ok(row.next_reconcile_at > new Date());
    await skipPause(paid.body.id);
    assert.equal(await reconcile(), { refundsRequested: 0, announced: 1 });
    await eventually(() => announcements().length === 3);
    // Each under a new event id, so booking's inbox takes it; the same facts.
    assert.is(new Set(announcements().map((e) => e.id)).size, 3);
    assert.equal(announcements()[2]!.payload, announcements()[0]!.payload);

    await h.service.handleEvent(h.orderEvent('order.confirmed', { orderId: order.orderId }));
    await skipPause(paid.body.id);
    assert.equal(await reconcile(), { refundsRequested: 0, announced: 0 }, 'a confirmed order is left alone');
    assert.is(await statusOf(h, paid.body.id), 'SUCCEEDED');
  } finally {
    await recorder.stop();
    await h.close();
  }
});

test.run();
