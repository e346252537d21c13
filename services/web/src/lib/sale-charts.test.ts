import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { addSample, gateSeries, historySamples, liveSeries, ticketSeries, timelineTotals, withHistory, type Timeline } from './sale-charts.ts';

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

test('a page opened mid-sale starts at the sale: waiting room samples and seats sold as a running total', () => {
  const at = (m: number) => `2026-12-07T20:0${m}:00.000Z`;
  const ms = (m: number) => Date.parse(at(m));
  const history = historySamples(
    {
      performanceId: timeline.performanceId, from: at(0), to: at(5),
      samples: [{ minute: at(1), waiting: 40, admitted: 0 }, { minute: at(2), waiting: 25, admitted: 15 }, { minute: at(4), waiting: 5, admitted: 20 }],
    },
    {
      scheduleId: timeline.scheduleId, from: at(0), to: at(5), soldBefore: 3,
      buckets: [{ minute: at(2), sold: 4, held: 10 }, { minute: at(3), sold: 6, held: 2 }, { minute: at(4), sold: 0, held: 1 }],
    },
  );
  assert.equal(history, [
    { at: ms(1), waiting: 40, admittedPerMinute: 0, seatsSold: 3 },
    { at: ms(2), waiting: 25, admittedPerMinute: 15, seatsSold: 7 },
    // no waiting room sample that minute: the line keeps its last length, nobody counted as admitted
    { at: ms(3), waiting: 25, admittedPerMinute: 0, seatsSold: 13 },
    { at: ms(4), waiting: 5, admittedPerMinute: 20, seatsSold: 13 },
  ]);
  assert.equal(historySamples(undefined, undefined), []);
});

test('live samples follow the history; one taken before its last minute is dropped', () => {
  const history = [{ at: 60_000, waiting: 9, admittedPerMinute: 1, seatsSold: 1 }, { at: 120_000, waiting: 8, admittedPerMinute: 1, seatsSold: 2 }];
  const live = [{ at: 119_000, waiting: 8, admittedPerMinute: 1, seatsSold: 2 }, { at: 125_000, waiting: 7, admittedPerMinute: 2, seatsSold: 3 }];
  assert.equal(withHistory(history, live).map((s) => s.at), [60_000, 120_000, 125_000]);
  assert.equal(withHistory(history, live, 2).map((s) => s.at), [120_000, 125_000]);
  assert.equal(liveSeries(withHistory(history, live)).series['Seats sold'], [1, 2, 3]);
});

test.run();
