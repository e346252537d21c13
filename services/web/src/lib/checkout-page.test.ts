import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Order, Payment } from '../api/types.ts';
import { DECLINED, initialCheckout, normaliseCard, reduceCheckout, type CheckoutEvent, type CheckoutState, type PayFailure } from './checkout-page.ts';

const order = (status: Order['status']) => ({ id: 'o1', status, scheduleId: 's1', paymentId: null } as unknown as Order);
const payment = (status: Payment['status']) => ({ id: 'p1', status } as unknown as Payment);
const run = (events: CheckoutEvent[], from: CheckoutState = initialCheckout()) =>
  events.reduce<{ state: CheckoutState; command?: unknown }>(({ state }, event) => reduceCheckout(state, event), { state: from });
const failure = (fields: Partial<PayFailure>): CheckoutEvent => ({ type: 'pay-failed', failure: { code: undefined, status: undefined, network: false, message: 'It failed', existing: undefined, ...fields } });
const paying = () => run([{ type: 'loaded', order: order('PENDING_PAYMENT') }, { type: 'submit', card: '4242424242424242', newKey: 'key-1' }]).state;

test('card numbers: 12 to 19 digits, spaces and dashes as typed', () => {
  assert.is(normaliseCard('4242 4242-4242 4242'), '4242424242424242');
  assert.is(normaliseCard('4242'), undefined);
  assert.is(normaliseCard('4242 4242 4242 424x'), undefined);
});

test('a pending order shows the form; a paid one goes to its confirmation; any other is closed', () => {
  assert.is(run([{ type: 'loaded', order: order('PENDING_PAYMENT') }]).state.phase, 'form');
  assert.equal(run([{ type: 'loaded', order: order('CONFIRMED') }]).command, { kind: 'to-confirmation' });
  assert.is(run([{ type: 'loaded', order: order('EXPIRED') }]).state.phase, 'closed');
});

test('a bad card number is refused in the form, nothing is sent', () => {
  const { state, command } = run([{ type: 'loaded', order: order('PENDING_PAYMENT') }, { type: 'submit', card: undefined, newKey: 'k' }]);
  assert.equal(command, { kind: 'focus-card' });
  assert.match(state.cardError!, /12 to 19 digits/);
  assert.is(state.phase, 'form');
});

test('a payment is sent under one key, and a retry after a lost answer or a server error reuses it', () => {
  const first = reduceCheckout(run([{ type: 'loaded', order: order('PENDING_PAYMENT') }]).state, { type: 'submit', card: '4242424242424242', newKey: 'key-1' });
  assert.equal(first.command, { kind: 'pay', card: '4242424242424242', key: 'key-1' });
  for (const lost of [failure({ network: true }), failure({ status: 503, code: 'PROVIDER_UNAVAILABLE' })]) {
    const after = reduceCheckout(first.state, lost).state;
    assert.is(after.paymentKey, 'key-1');
    assert.is(after.payError, 'It failed');
    assert.equal(reduceCheckout(after, { type: 'submit', card: '4242424242424242', newKey: 'key-2' }).command, { kind: 'pay', card: '4242424242424242', key: 'key-1' });
  }
  const refused = reduceCheckout(first.state, failure({ status: 422, code: 'VALIDATION_FAILED' })).state;
  assert.is(refused.paymentKey, undefined, 'a refused attempt is over: the next is a new payment');
});

test('an accepted payment is followed; a declined card says so and the next try is a new payment', () => {
  const accepted = reduceCheckout(paying(), { type: 'paid', payment: payment('PENDING') });
  assert.equal([accepted.state.phase, accepted.command], ['confirming', { kind: 'follow' }]);
  const declined = reduceCheckout(paying(), { type: 'paid', payment: payment('FAILED') });
  assert.equal([declined.state.phase, declined.state.payError, declined.state.paymentKey, declined.command], ['form', DECLINED, undefined, { kind: 'declined' }]);
  const lateDecline = reduceCheckout(accepted.state, { type: 'payment-seen', payment: payment('FAILED') });
  assert.equal(lateDecline.command, { kind: 'declined' });
});

test('an order already being paid elsewhere is followed instead of paid twice; an expired one reloads', () => {
  const other = reduceCheckout(paying(), failure({ code: 'PAYMENT_IN_PROGRESS', status: 409, existing: payment('PENDING') }));
  assert.equal([other.state.phase, other.state.payment?.id, other.command], ['confirming', 'p1', { kind: 'follow' }]);
  assert.equal(reduceCheckout(paying(), failure({ code: 'ORDER_EXPIRED', status: 409 })).command, { kind: 'reload' });
});

test('following: the order confirmed goes to the confirmation; an order that left PENDING_PAYMENT closes the page', () => {
  const following = reduceCheckout(paying(), { type: 'paid', payment: payment('PENDING') }).state;
  assert.equal(reduceCheckout(following, { type: 'order-updated', order: order('CONFIRMED') }).command, { kind: 'to-confirmation' });
  assert.is(reduceCheckout(following, { type: 'order-updated', order: order('PENDING_PAYMENT') }).state.phase, 'confirming');
  assert.is(reduceCheckout(following, { type: 'order-updated', order: order('CANCELLED') }).state.phase, 'closed');
});

test.run();
