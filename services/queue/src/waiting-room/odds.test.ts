import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { estimateOdds } from './odds.ts';

const figures = (over: Partial<Parameters<typeof estimateOdds>[0]> = {}) => ({
  seatsLeft: 100, seatsPerOrder: 2, seatsPerOrderMeasured: true, orderShare: 1, choosingNow: 0, asOfMs: Date.UTC(2026, 11, 7), ...over,
});

test('near the front of a roomy sale the odds are good, far back in a small one they are poor', () => {
  assert.is(estimateOdds(figures(), 10).outlook, 'LIKELY'); // need (10 + 1) × 2 = 22 ≤ 100 / 1.25
  assert.is(estimateOdds(figures(), 100).outlook, 'UNLIKELY'); // need 202; 100 < 0.75 × 202
  assert.is(estimateOdds(figures(), 49).outlook, 'UNCERTAIN'); // need 100: between 75 and 125
  assert.is(estimateOdds(figures({ seatsLeft: 0 }), 0).outlook, 'NONE');
});

test('fans choosing seats now count as ahead, and only the measured share of fans buys', () => {
  const crowded = estimateOdds(figures({ choosingNow: 60 }), 10);
  assert.equal([crowded.outlook, crowded.peopleAhead, crowded.expectedSeatsBeforeYou], ['UNLIKELY', 70, 140]);
  const browsers = estimateOdds(figures({ choosingNow: 60, orderShare: 0.25 }), 10);
  assert.equal([browsers.outlook, browsers.expectedSeatsBeforeYou], ['LIKELY', 35]);
});

test('the figures it is built from are published with it', () => {
  assert.equal(estimateOdds(figures({ seatsPerOrder: 3.5, seatsPerOrderMeasured: false, orderShare: 0.8 }), 4), {
    outlook: 'LIKELY', seatsLeft: 100, peopleAhead: 4, seatsPerOrder: 3.5, seatsPerOrderMeasured: false, orderShare: 0.8,
    expectedSeatsBeforeYou: 12, asOf: '2026-12-07T00:00:00.000Z',
  });
});

test.run();
