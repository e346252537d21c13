import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { addSample, gateSeries, liveSeries, ticketSeries, timelineTotals, type Timeline } from './sale-charts.ts';

const timeline: Timeline = {
  performanceId: '00000000-0000-4000-8000-000000000001',
  scheduleId: '00000000-0000-4000-8000-000000000002',
  from: '2026-12-07T20:00:00.000Z',
  to: '2026-12-07T20:03:25.000Z',
  buckets: [
    { minute: '2026-12-07T20:00:00.000Z', issued: 4, revoked: 0, checkedIn: 0, gates: {} },
    { minute: '2026-12-07T20:02:00.000Z', issued: 0, revoked: 1, checkedIn: 3, gates: { South: 1, North: 2 } },
    { minute: '2026-12-07T20:03:00.000Z', issued: 2, revoked: 0, checkedIn: 1, gates: { North: 1 } },
  ],
};
const minute = (m: number) => Date.parse('2026-12-07T20:00:00.000Z') / 1000 + m * 60;

test('the timeline becomes one point per minute from `from` to `to`, zeros where nothing happened', () => {
  const { x, series } = ticketSeries(timeline);
  assert.equal(x, [minute(0), minute(1), minute(2), minute(3)]);
  assert.equal(series['Tickets issued'], [4, 0, 0, 2]);
  assert.equal(series['Checked in'], [0, 0, 3, 1]);
  assert.equal(series.Revoked, [0, 0, 1, 0]);
});

test('check-ins per minute have one series per gate, gates in name order', () => {
  const { x, series } = gateSeries(timeline);
  assert.is(x.length, 4);
  assert.equal(Object.keys(series), ['North', 'South']);
  assert.equal(series.North, [0, 0, 2, 1]);
  assert.equal(series.South, [0, 0, 1, 0]);
});

test('totals say in words what the charts show', () => {
  assert.equal(timelineTotals(timeline), { issued: 6, checkedIn: 4, revoked: 1, gates: { South: 1, North: 3 } });
});

test('live samples are kept up to a bound and lined up on the same seconds', () => {
  let samples = [] as Parameters<typeof addSample>[0];
  for (let i = 0; i < 5; i++) samples = addSample(samples, { at: 1_000_000 + i * 5000, waiting: 10 - i, admittedPerMinute: i, seatsSold: i * 2 }, 3);
  const { x, series } = liveSeries(samples);
  assert.equal(x, [1010, 1015, 1020]);
  assert.equal(series['Waiting fans'], [8, 7, 6]);
  assert.equal(series['Seats sold'], [4, 6, 8]);
});

test.run();
