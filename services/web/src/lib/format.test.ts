import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bookingReference, formatCountdown, formatDateTime, formatEta, formatMoney, formatPeople, parseMoney, seatLabel } from './format.ts';

test('money uses the currency minor units', () => {
  assert.is(formatMoney(12050, 'EUR', 'en-GB'), '€120.50');
  assert.is(formatMoney(5000, 'USD', 'en-US'), '$50.00');
  assert.is(formatMoney(5000, 'JPY', 'en-US'), '¥5,000');
});

test('admin prices parse to minor units and reject junk', () => {
  assert.is(parseMoney('12.50', 'EUR'), 1250);
  assert.is(parseMoney('12,5', 'EUR'), 1250);
  assert.is(parseMoney('80', 'USD'), 8000);
  assert.is(parseMoney('5000', 'JPY'), 5000);
  assert.is(parseMoney('-3', 'EUR'), undefined);
  assert.is(parseMoney('abc', 'EUR'), undefined);
});

test('dates render in the given zone', () => {
  assert.is(formatDateTime('2026-03-14T19:30:00Z', 'en-GB', 'UTC'), '14 Mar 2026, 19:30');
});

test('ETA reads as words', () => {
  assert.is(formatEta(null), 'Estimating…');
  assert.is(formatEta(20), 'Less than a minute');
  assert.is(formatEta(61), 'About 1 minute');
  assert.is(formatEta(240), 'About 4 minutes');
  assert.is(formatEta(3600), 'About 1 hour');
  assert.is(formatEta(3600 + 20 * 60), 'About 1 hour 20 minutes');
});

test('countdown rounds up and never goes negative', () => {
  assert.is(formatCountdown(599_001), '10:00');
  assert.is(formatCountdown(545_000), '9:05');
  assert.is(formatCountdown(3_723_000), '1:02:03');
  assert.is(formatCountdown(-5), '0:00');
});

test('people, references and seat labels', () => {
  assert.is(formatPeople(1), '1 person');
  assert.is(formatPeople(1234), '1,234 people');
  assert.is(bookingReference('3f2a9c10-1111-4222-8333-444455556666'), '3F2A9C10');
  assert.is(seatLabel({ section: 'A', row: '3', number: 12 }), 'A · Row 3 · Seat 12');
});

test.run();
