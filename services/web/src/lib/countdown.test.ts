import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { announcementFor, countdownView, thresholdCrossed } from './countdown.ts';

const expiresAt = '2026-03-14T19:40:00.000Z';
const at = (msBefore: number) => Date.parse(expiresAt) - msBefore;

test('shows time left, urgency under a minute, and expiry', () => {
  assert.equal(countdownView(expiresAt, at(600_000)), { remainingMs: 600_000, text: '10:00', expired: false, urgent: false });
  assert.is(countdownView(expiresAt, at(59_000)).urgent, true);
  const after = countdownView(expiresAt, at(-3_000));
  assert.is(after.expired, true);
  assert.is(after.text, '0:00');
  assert.is(after.urgent, false);
});

test('each threshold is announced once, even when a tick is late', () => {
  assert.is(thresholdCrossed(301_000, 300_000), 300_000);
  assert.is(thresholdCrossed(300_000, 299_000), undefined);
  assert.is(thresholdCrossed(200_000, 199_000), undefined);
  // A background tab woke up after 3 minutes: only the latest crossing is spoken.
  assert.is(thresholdCrossed(301_000, 100_000), 120_000);
  assert.is(thresholdCrossed(31_000, 29_000), 30_000);
});

test('announcements are sentences', () => {
  assert.is(announcementFor(60_000), '1 minute left to pay before your seats are released.');
  assert.is(announcementFor(300_000), '5 minutes left to pay before your seats are released.');
  assert.is(announcementFor(30_000), '30 seconds left to pay before your seats are released.');
});

test.run();
