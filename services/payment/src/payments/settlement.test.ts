import { Writable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger } from '@ticketping/logger';
import { client } from '@ticketping/metrics';
import { createPaymentMetrics } from '../payment-metrics.ts';
import { createMemorySettlementStore, type StoredPayment } from './memory-settlement-store.ts';
import { createSettlement } from './settlement.ts';

const quiet = createLogger({ service: 'test', destination: new Writable({ write(_c, _e, done) { done(); } }) });
const MINUTE = 60_000;

/** A settlement over the in-memory store and a provider that answers from a table (the outside party). */
function setup() {
  let clock = new Date('2026-12-07T10:00:00Z');
  const now = () => clock;
  const store = createMemorySettlementStore(now);
  const answers = new Map<string, { outcome: 'approved'; reference: string } | { outcome: 'declined'; reason: string } | { outcome: 'not_found' } | Error>();
  const refunds: string[] = [];
  let refundFails = 0;
  const provider = {
    lookup: async (paymentId: string) => {
      const answer = answers.get(paymentId) ?? { outcome: 'not_found' as const };
      if (answer instanceof Error) throw answer;
      return answer;
    },
    refund: async ({ paymentId, idempotencyKey }: { paymentId: string; idempotencyKey: string }) => {
      if (refundFails > 0) { refundFails--; throw new Error('provider down'); }
      refunds.push(`${paymentId}:${idempotencyKey}`);
      return { reference: `r-${paymentId}` };
    },
  };
  const settlement = createSettlement({
    store, provider, logger: quiet, metrics: createPaymentMetrics(new client.Registry()), staleAfterMs: MINUTE, settlementWindowMs: 15 * MINUTE, now,
  });
  const add = (id: string, fields: Partial<StoredPayment> = {}) => {
    store.payments.set(id, {
      id, orderId: `order-${id}`, userId: 'fan', amount: 5000, currency: 'EUR', status: 'PENDING', methodType: 'card', cardLast4: '4242', provider: 'sim',
      providerReference: null, failureReason: null, idempotencyKey: `key-${id}`, refundRequestedAt: null, refundReason: null, refundAttempts: 0,
      createdAt: clock, updatedAt: clock, nextRefundAttemptAt: null, ...fields,
    });
  };
  return { store, answers, refunds, settlement, add, failNextRefunds: (n: number) => { refundFails = n; }, advance: (ms: number) => { clock = new Date(clock.getTime() + ms); } };
}

test('a payment left pending is settled by what the provider says, with its event', async () => {
  const s = setup();
  s.add('paid');
  s.add('declined');
  s.answers.set('paid', { outcome: 'approved', reference: 'ref-1' });
  s.answers.set('declined', { outcome: 'declined', reason: 'INSUFFICIENT_FUNDS' });
  assert.is(await s.settlement.settleStalePayments(), 0, 'a payment a request may still be settling is left alone');
  s.advance(2 * MINUTE);
  assert.is(await s.settlement.settleStalePayments(), 2);
  assert.is(s.store.payments.get('paid')!.status, 'SUCCEEDED');
  assert.is(s.store.payments.get('paid')!.providerReference, 'ref-1');
  assert.is(s.store.payments.get('declined')!.failureReason, 'INSUFFICIENT_FUNDS');
  assert.equal(s.store.events, [
    { type: 'payment.succeeded', paymentId: 'paid', reason: undefined },
    { type: 'payment.failed', paymentId: 'declined', reason: 'INSUFFICIENT_FUNDS' },
  ]);
});

test('a charge the provider does not know stays pending within the settlement window, and fails NOT_CHARGED after it', async () => {
  const s = setup();
  s.add('unknown');
  s.advance(2 * MINUTE);
  assert.is(await s.settlement.settleStalePayments(), 0);
  assert.is(s.store.payments.get('unknown')!.status, 'PENDING', 'the provider may still settle it');
  s.advance(15 * MINUTE);
  assert.is(await s.settlement.settleStalePayments(), 1);
  assert.is(s.store.payments.get('unknown')!.status, 'FAILED');
  assert.equal(s.store.events, [{ type: 'payment.failed', paymentId: 'unknown', reason: 'NOT_CHARGED' }]);
});

test('a late settlement inside the window still ends SUCCEEDED', async () => {
  const s = setup();
  s.add('late');
  s.advance(2 * MINUTE);
  await s.settlement.settleStalePayments();
  s.answers.set('late', { outcome: 'approved', reference: 'ref-late' });
  s.advance(2 * MINUTE);
  assert.is(await s.settlement.settleStalePayments(), 1);
  assert.is(s.store.payments.get('late')!.status, 'SUCCEEDED');
});

test('a provider that cannot be asked leaves the payment pending for the next pass', async () => {
  const s = setup();
  s.add('asked');
  s.answers.set('asked', new Error('timeout'));
  s.advance(2 * MINUTE);
  assert.is(await s.settlement.settleStalePayments(), 0);
  assert.is(s.store.payments.get('asked')!.status, 'PENDING');
  assert.equal(s.store.events, []);
});

test('a due refund is paid back once, with its event; a failed attempt is retried later with a growing pause', async () => {
  const s = setup();
  s.add('back', { status: 'SUCCEEDED', providerReference: 'ref', refundRequestedAt: new Date(), refundReason: 'ORDER_EXPIRED', nextRefundAttemptAt: new Date(0) });
  s.failNextRefunds(2);
  const pauseAfter = async () => {
    const at = Date.parse('2026-12-07T10:00:00Z');
    assert.is(await s.settlement.refundDue(), 0);
    return +s.store.payments.get('back')!.nextRefundAttemptAt! - at;
  };
  const firstPause = await pauseAfter();
  assert.is(s.store.payments.get('back')!.refundAttempts, 1);
  assert.is(await s.settlement.refundDue(), 0, 'not due again before the pause');
  s.advance(firstPause);
  const secondPause = (await pauseAfter()) - firstPause;
  assert.is(s.store.payments.get('back')!.refundAttempts, 2);
  assert.ok(secondPause > firstPause, `the pause grows (${firstPause} ms, then ${secondPause} ms)`);
  s.advance(secondPause);
  assert.is(await s.settlement.refundDue(), 1);
  assert.is(s.store.payments.get('back')!.status, 'REFUNDED');
  assert.equal(s.refunds, ['back:refund-back'], 'one refund, under the idempotency key');
  assert.equal(s.store.events, [{ type: 'payment.refunded', paymentId: 'back', reason: 'ORDER_EXPIRED' }]);
});

test.run();
