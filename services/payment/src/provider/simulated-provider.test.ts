import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TEST_CARDS, createSimulatedProvider, ProviderOutageError } from './simulated-provider.ts';

const signal = () => AbortSignal.timeout(5000);
const charge = (paymentId: string, cardNumber: string) => ({ paymentId, amount: 1000, currency: 'KRW', method: { type: 'card' as const, cardNumber } });

test('4242… is approved at once, 4000000000000002 declined, other cards approved after the delay', async () => {
  const sim = createSimulatedProvider({ delayMs: 50, mode: 'normal', slowMs: 0 });
  assert.is((await sim.charge(charge('p1', TEST_CARDS.approved), signal())).outcome, 'approved');
  assert.equal(await sim.charge(charge('p2', TEST_CARDS.declined), signal()), { outcome: 'declined', reason: 'CARD_DECLINED' });
  const started = Date.now();
  assert.is((await sim.charge(charge('p3', '5555555555554444'), signal())).outcome, 'approved');
  assert.ok(Date.now() - started >= 45);
});

test('a payment id is charged once and refunded once, however often it is asked', async () => {
  const sim = createSimulatedProvider({ delayMs: 0, mode: 'normal', slowMs: 0 });
  const first = await sim.charge(charge('p1', TEST_CARDS.approved), signal());
  assert.equal(await sim.charge(charge('p1', TEST_CARDS.approved), signal()), first);
  assert.equal(await sim.lookup('p1', signal()), first);
  assert.is(sim.ledger.charges.get('p1')?.amount, 1000);
  assert.equal(await sim.lookup('nope', signal()), { outcome: 'not_found' });
  const refund = { paymentId: 'p1', reference: 'r', amount: 1000, currency: 'KRW', reason: 'x', idempotencyKey: 'refund-p1' };
  await sim.refund(refund, signal());
  await sim.refund(refund, signal());
  assert.is(sim.ledger.refunds.size, 1);
  assert.is(sim.ledger.charges.size, 1);
});

test('it can be told to fail or to be slow, and a slow call gives up when aborted', async () => {
  const sim = createSimulatedProvider({ delayMs: 0, mode: 'fail', slowMs: 10_000 });
  try {
    await sim.charge(charge('p1', TEST_CARDS.approved), signal());
    assert.unreachable('an outage answered');
  } catch (error) {
    assert.instance(error, ProviderOutageError);
  }
  sim.configure({ mode: 'slow' });
  const started = Date.now();
  try {
    await sim.charge(charge('p2', TEST_CARDS.approved), AbortSignal.timeout(50));
    assert.unreachable('a slow call answered before its timeout');
  } catch (error) {
    assert.is((error as Error).name, 'AbortError');
  }
  assert.ok(Date.now() - started < 1000);
  sim.configure({ mode: 'normal' });
  assert.equal(await sim.lookup('p2', signal()), { outcome: 'not_found' }, 'an abandoned charge did not happen');
});

/** Like AbortSignal.timeout, but its timer keeps the process alive (the simulator's settlement timer does not). */
function timeoutSignal(ms: number): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new DOMException('timed out', 'TimeoutError')), ms);
  return controller.signal;
}

test('late mode: the call times out, lookup does not know the charge, then it settles once, approved', async () => {
  const sim = createSimulatedProvider({ delayMs: 0, mode: 'late', slowMs: 0, lateMs: 300 });
  const started = Date.now();
  try {
    await sim.charge(charge('p1', TEST_CARDS.approved), timeoutSignal(50));
    assert.unreachable('a late charge answered before its timeout');
  } catch (error) {
    assert.is((error as Error).name, 'TimeoutError');
  }
  assert.equal(await sim.lookup('p1', signal()), { outcome: 'not_found' }, 'not settled yet');
  try {
    await sim.charge(charge('p1', TEST_CARDS.approved), timeoutSignal(20)); // a retry joins the same charge
  } catch {
    // lost again
  }
  let settled = await sim.lookup('p1', signal());
  while (settled.outcome === 'not_found' && Date.now() - started < 2000) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    settled = await sim.lookup('p1', signal());
  }
  assert.is(settled.outcome, 'approved');
  assert.ok(Date.now() - started >= 290, 'settled after lateMs');
  assert.is(sim.ledger.charges.size, 1, 'one charge');
  assert.equal(await sim.charge(charge('p1', TEST_CARDS.approved), signal()), settled);
});

test.run();
