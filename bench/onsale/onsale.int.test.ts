import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describe, violations } from './report.ts';
import { rehearse, type RehearsalOptions } from './scenario.ts';
import { startStandaloneTarget } from './targets.ts';

// Each fan has its own connection now, so nothing in the driver caps the requests in flight: the
// active set does. Standalone's booking serves one statement at a time (PGlite), and at the
// machine's usual load 20 admitted fans holding at once took some holds past the gateway's 10 s
// deadline; 8 at a time keeps this a test of the books, not of that limit.
const options: RehearsalOptions = {
  fans: 60, seats: 40, signUps: 2, capacity: 8, admitPerMinute: 1200, maxSeatsPerOrder: 4, proofOfWorkMaxNumber: 1000,
  arrivalMs: 0, declineShare: 0.2, abandonShare: 0.2, deadlineMs: 120_000,
};

test('a small on-sale in standalone sells every seat once and loses no paid order', async () => {
  const progress: string[] = [];
  const result = await rehearse(await startStandaloneTarget(), { ...options, progress: (line) => progress.push(line) });
  const report = describe(result, options).join('\n');
  assert.equal(violations(result, options), [], report);
  assert.is(result.books.doubleSold, 0, report);
  assert.is(result.books.paidLost, 0, report);
  const everyFanDone = (result.journey.outcomes.get('timed out') ?? 0) === 0;
  assert.ok(result.books.seatsSold === options.seats || everyFanDone, report);
  assert.is(result.journey.entryLatencies.length, options.fans, 'every fan entered the queue');
  assert.ok(result.books.ordersByStatus.CONFIRMED! > 0, report);
  assert.is(result.books.paymentsByStatus.SUCCEEDED, result.books.ordersByStatus.CONFIRMED, 'one successful payment per confirmed order');
  // the gateway's own histogram saw every status poll the fans made (server-side latency, apart)
  const polls = [...result.serverLatency.values()].find((r) => r.method === 'GET' && r.route.endsWith('/entries/me'));
  assert.is(polls?.count, result.journey.pollLatencies.length, report);
  assert.ok(describe(result, options).some((line) => line.startsWith('server-side GET ') && line.includes('/entries/me')), report);
  // a sale of several seconds prints its progress each second
  assert.ok(progress.length >= 1 && progress.every((line) => /entered \d+\/60, admitted \d+, orders held \d+, seats sold \d+\/40/.test(line)), progress.join('\n'));
});

test.run();
