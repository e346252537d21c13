import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildPerformance, dayAfter, defaultDraft, toLocalInput } from './admin-form.ts';
import { formErrorsFromProblem } from './problem-fields.ts';

const now = new Date(2026, 2, 1, 10, 0);

test('the default draft with a title and venue builds a valid body', () => {
  const result = buildPerformance({ ...defaultDraft(now), title: ' Swan Lake ', venue: 'Opera House' });
  assert.ok('body' in result);
  if (!('body' in result)) return;
  assert.is(result.body.title, 'Swan Lake');
  assert.equal(result.body.sections, [{ name: 'A', rows: 5, seatsPerRow: 10, grade: 'Standard', price: 4500, currency: 'EUR' }]);
  assert.equal(result.body.queue, { capacity: 100, admitPerMinute: 60 });
  assert.is(result.body.requireVerifiedEmail, false, 'a performance asks for confirmed addresses only when the admin ticks it');
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

test('server field errors land beside their inputs', () => {
  const errors = formErrorsFromProblem({ errors: [
    { field: 'body.title', message: 'must not be empty' },
    { field: 'body.sections.1.price', message: 'grade "R" already costs 5000' },
    { field: 'body.sections.0.currency', message: 'is not an ISO 4217 currency' },
    { field: 'body.schedules.0.startsAt', message: 'must be in the future' },
    { field: 'body.queue.capacity', message: 'must be at least 1' },
  ] });
  assert.equal(errors, {
    title: 'Must not be empty.',
    'section-1-price': 'Grade "R" already costs 5000.',
    currency: 'Is not an ISO 4217 currency.',
    'schedule-0': 'Must be in the future.',
    capacity: 'Must be at least 1.',
  });
  assert.equal(formErrorsFromProblem({}), {});
});

test('a new date row starts a day after the last one', () => {
  assert.is(dayAfter('2026-03-14T19:30'), '2026-03-15T19:30');
  assert.is(dayAfter('', now), toLocalInput(new Date(2026, 2, 2, 10, 0)));
});

test.run();
