import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildPerformance, defaultDraft, toLocalInput } from './admin-form.ts';

const now = new Date(2026, 2, 1, 10, 0);

test('the default draft with a title and venue builds a valid body', () => {
  const result = buildPerformance({ ...defaultDraft(now), title: ' Swan Lake ', venue: 'Opera House' });
  assert.ok('body' in result);
  if (!('body' in result)) return;
  assert.is(result.body.title, 'Swan Lake');
  assert.equal(result.body.sections, [{ name: 'A', rows: 5, seatsPerRow: 10, grade: 'Standard', price: 4500, currency: 'EUR' }]);
  assert.equal(result.body.queue, { capacity: 100, admitPerMinute: 60 });
  assert.is(result.body.schedules.length, 1);
  assert.ok(result.body.bookingOpensAt < result.body.bookingClosesAt);
  assert.is(result.body.bookingOpensAt, now.toISOString());
});

test('every problem is named by its input', () => {
  const draft = { ...defaultDraft(now), maxSeatsPerOrder: '0', currency: 'euro', capacity: 'x', bookingClosesAt: toLocalInput(new Date(2026, 1, 1)) };
  draft.sections = [{ name: '', rows: '2', seatsPerRow: '-1', grade: 'R', price: 'cheap' }];
  const result = buildPerformance(draft);
  assert.ok('errors' in result);
  if (!('errors' in result)) return;
  assert.equal(Object.keys(result.errors).sort(), [
    'bookingClosesAt', 'capacity', 'currency', 'maxSeatsPerOrder', 'section-0-name', 'section-0-price', 'section-0-seatsPerRow', 'title', 'venue',
  ]);
});

test.run();
