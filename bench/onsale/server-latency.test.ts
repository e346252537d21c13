import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describeObjectives, describeServerLatency, difference, parseHistograms, quantile, shareWithin } from './server-latency.ts';

const scrape = (ok: number[], failed: number[]) => {
  const bounds = ['0.01', '0.1', '0.5', '+Inf'];
  const lines = (status: string, counts: number[]) => bounds.map((le, i) =>
    `http_server_request_duration_seconds_bucket{le="${le}",method="GET",route="/api/v1/queues/:performanceId/entries/me",status="${status}",service="gateway"} ${counts[i]}`);
  return ['# HELP http_server_request_duration_seconds x', ...lines('200', ok), ...lines('404', failed),
    'http_server_request_duration_seconds_count{method="GET",route="/x",status="200",service="gateway"} 3'].join('\n');
};

test('the gateway histogram between two scrapes gives each route its quantiles and exact shares', () => {
  const before = parseHistograms(scrape([10, 10, 10, 10], [0, 0, 0, 0]));
  // during the sale: 100 polls, 90 within 10 ms, 8 more within 100 ms, 2 more within 500 ms
  const after = parseHistograms(scrape([95, 103, 105, 105], [5, 5, 5, 5]));
  const delta = difference(after, before);
  assert.equal([...delta.keys()], ['GET /api/v1/queues/:performanceId/entries/me']);
  const poll = delta.values().next().value!;
  assert.is(poll.count, 100);
  assert.is(shareWithin(poll, 0.1), 0.98);
  assert.is(quantile(poll, 0.5), 0.01 * (50 / 90));
  assert.ok(Math.abs(quantile(poll, 0.99) - (0.1 + 0.4 * 0.5)) < 1e-9, String(quantile(poll, 0.99)));
});

test('a quantile past the largest bucket is reported as over it, not as a figure', () => {
  const slow = difference(parseHistograms(scrape([0, 0, 1, 10], [0, 0, 0, 0])), parseHistograms(scrape([0, 0, 0, 0], [0, 0, 0, 0])));
  const route = slow.values().next().value!;
  assert.is(quantile(route, 0.99), Number.POSITIVE_INFINITY);
  assert.match(describeServerLatency(slow)[0]!, 'p99 over 500 ms');
});

test('the objectives are met when 99 % of polls are within 100 ms, and say so when not', () => {
  const zero = parseHistograms(scrape([0, 0, 0, 0], [0, 0, 0, 0]));
  const fast = difference(parseHistograms(scrape([990, 1000, 1000, 1000], [0, 0, 0, 0])), zero);
  assert.match(describeObjectives(fast), 'poll p99 < 100 ms met (100.00 % within)');
  assert.match(describeObjectives(fast), 'no hold made');
  const slow = difference(parseHistograms(scrape([900, 980, 1000, 1000], [0, 0, 0, 0])), zero);
  assert.match(describeObjectives(slow), 'poll p99 < 100 ms NOT met (98.00 % within)');
});

test('a route with no request between the scrapes is left out', () => {
  const same = parseHistograms(scrape([1, 1, 1, 1], [0, 0, 0, 0]));
  assert.is(difference(same, same).size, 0);
});

test.run();
