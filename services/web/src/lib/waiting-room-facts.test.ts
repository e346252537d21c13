import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { accessCodeProblem, oddsMessage, priceRange, waitlistHref } from './waiting-room-facts.ts';

test('the price range shows the cheapest and dearest grade, or one price', () => {
  assert.is(priceRange([{ price: 4500, currency: 'EUR' }, { price: 12000, currency: 'EUR' }, { price: 6500, currency: 'EUR' }], 'en'), '€45.00 – €120.00');
  assert.is(priceRange([{ price: 150000, currency: 'KRW' }], 'en'), '₩150,000');
  assert.is(priceRange([]), undefined);
});

const odds = { outlook: 'UNLIKELY' as const, seatsLeft: 40, peopleAhead: 120, seatsPerOrder: 2.5, seatsPerOrderMeasured: true, orderShare: 0.8, expectedSeatsBeforeYou: 240, asOf: null };

test('low odds are said plainly, with the figures they come from', () => {
  const message = oddsMessage(odds);
  assert.is(message.tone, 'warn');
  assert.match(message.headline, /unlikely/);
  assert.is(message.basis, '40 seats are left; 120 fans get to choose before you; orders so far take 2.5 seats on average; about 80% of fans who reach the seat map buy. We expect about 240 seats to go before your turn.');
  assert.is(oddsMessage({ ...odds, outlook: 'LIKELY' }).tone, 'good');
  assert.match(oddsMessage({ ...odds, seatsPerOrderMeasured: false, seatsPerOrder: 4 }).basis, /no orders yet, so we assume the most a fan may buy \(4 seats\)/);
  assert.match(oddsMessage({ ...odds, outlook: 'NONE', seatsLeft: 0 }).headline, /No seats are left/);
});

test('refused codes get words a fan understands; other problems are not ours', () => {
  assert.match(accessCodeProblem('ACCESS_CODE_USED_UP')!, /already been used/);
  assert.is(accessCodeProblem('ACCESS_CODE_OUTSIDE_WINDOW', 'This access code can be used from 2026-12-08T10:00:00.000Z until 2026-12-08T12:00:00.000Z'),
    'That code cannot be used right now: it works from 2026-12-08T10:00:00.000Z until 2026-12-08T12:00:00.000Z.');
  assert.is(accessCodeProblem('QUEUE_FULL'), undefined);
  assert.is(waitlistHref('a b'), '#/waitlist/a%20b');
  assert.is(waitlistHref('p1', 's1'), '#/waitlist/p1?schedule=s1', 'the date chosen in the waiting room comes along');
});

test.run();
