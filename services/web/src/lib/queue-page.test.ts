import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { QueueEntry } from '../api/types.ts';
import { expiredMessage, initialQueueState, isWaiting, reduceQueue, type QueueEvent, type QueuePageState } from './queue-page.ts';

const at = new Date('2026-12-07T10:00:00Z');
const half = () => 0.5;
const entry = (fields: Partial<QueueEntry> = {}): QueueEntry => ({
  performanceId: 'p', status: 'WAITING', position: 12, ahead: 11, etaSeconds: 60, pollAfterMs: 4_000,
  queueToken: null, expiresAt: null, reason: null, opensAt: null, lane: null, odds: null, ...fields,
});
const run = (events: QueueEvent[], from: QueuePageState = initialQueueState()) =>
  events.reduce<{ state: QueuePageState; command?: unknown }>(({ state }, event) => reduceQueue(state, event, half), { state: from });
const refused = (status: number, code?: string, retryAfterSeconds?: number): QueueEvent => ({ type: 'failed', error: new Error(code ?? String(status)), refusal: { status, ...(code ? { code } : {}), retryAfterSeconds }, at });
const offline: QueueEvent = { type: 'failed', error: new TypeError('fetch failed'), refusal: undefined, at };

test('a waiting entry shows the place and polls again at the pace the server asks', () => {
  const { state, command } = run([{ type: 'entry', entry: entry(), at }]);
  assert.is(state.phase, 'waiting');
  assert.is(state.entry?.position, 12);
  assert.equal(state.lastUpdated, at);
  assert.equal(command, { kind: 'poll-in', ms: 4_000 });
});

test('an admitted entry hands the entry to the admission and polls no more', () => {
  const admitted = entry({ status: 'ADMITTED', queueToken: 't', expiresAt: at.toISOString() });
  const { state, command } = run([{ type: 'entry', entry: admitted, at }]);
  assert.is(state.phase, 'admitted');
  assert.equal(command, { kind: 'admitted', entry: admitted });
});

test('an expired entry says why and stops', () => {
  const { state, command } = run([{ type: 'entry', entry: entry({ status: 'EXPIRED', reason: 'ABANDONED' }), at }]);
  assert.is(state.phase, 'expired');
  assert.equal(command, { kind: 'stop' });
  assert.match(expiredMessage(state.entry?.reason), /stopped checking in/);
});

test('lost connections back off and say "reconnecting"; the next answer clears it', () => {
  const failing = run([{ type: 'entry', entry: entry(), at }, offline, offline]);
  assert.is(failing.state.failures, 2);
  assert.equal(failing.state.retryingSince, at);
  assert.is(failing.state.phase, 'waiting', 'the place is kept on screen');
  assert.equal(failing.command, { kind: 'poll-in', ms: 12_000 }, 'half of 4 s × 2², plus half the jitter');
  const back = reduceQueue(failing.state, { type: 'entry', entry: entry({ ahead: 3 }), at }, half);
  assert.is(back.state.failures, 0);
  assert.is(back.state.retryingSince, undefined);
});

test('a refusal the fan can wait out keeps polling: a full line after Retry-After, a room not open yet', () => {
  const full = run([refused(503, 'QUEUE_FULL', 20)]);
  assert.is(full.state.phase, 'full');
  assert.match(full.state.problem!, /line is full/);
  assert.equal(full.command, { kind: 'poll-in', ms: 20_000 });
  const notOpen = run([refused(404, 'QUEUE_NOT_FOUND')]);
  assert.is(notOpen.state.phase, 'not-open');
  assert.ok(isWaiting(notOpen.state.phase));
  assert.equal(notOpen.command, { kind: 'poll-in', ms: 3_000 });
});

test('sold out and closed stop the page with their reason; an expired session goes to sign-in', () => {
  const sold = run([refused(409, 'SOLD_OUT')]);
  assert.equal([sold.state.phase, sold.state.problem, sold.command], ['closed', 'This performance is sold out.', { kind: 'stop' }]);
  assert.equal(run([refused(409, 'QUEUE_CLOSED')]).state.problem, 'The waiting room for this performance is closed.');
  assert.equal(run([refused(401)]).command, { kind: 'sign-in' });
});

test('sold out offers the waitlist, whether refused at the door or dropped from the line; other endings do not', () => {
  assert.is(run([refused(409, 'SOLD_OUT')]).state.offerWaitlist, true);
  assert.is(run([{ type: 'entry', entry: entry({ status: 'EXPIRED', reason: 'SOLD_OUT' }), at }]).state.offerWaitlist, true);
  assert.is(run([refused(409, 'QUEUE_CLOSED')]).state.offerWaitlist, false);
  assert.is(run([{ type: 'entry', entry: entry({ status: 'EXPIRED', reason: 'ABANDONED' }), at }]).state.offerWaitlist, false);
});

test('any other client error is shown as the page error and stops; 429 is retried', () => {
  const bad = run([refused(400, 'VALIDATION_FAILED')]);
  assert.instance(bad.state.fatal, Error);
  assert.equal(bad.command, { kind: 'stop' });
  const busy = run([refused(429, 'RATE_LIMITED', 2)]);
  assert.is(busy.state.fatal, undefined);
  assert.equal(busy.command, { kind: 'poll-in', ms: 2_000 });
});

test('solving the proof-of-work shows its progress and keeps the help panel; a refused proof gets a new challenge soon', () => {
  const solving = run([{ type: 'solving', tried: 250, maxnumber: 1000 }]);
  assert.equal([solving.state.phase, solving.state.solving, solving.command], ['solving', { tried: 250, maxnumber: 1000 }, { kind: 'stop' }]);
  assert.ok(isWaiting('solving'));
  const expired = run([{ type: 'solving', tried: 999, maxnumber: 1000 }, refused(403, 'PROOF_OF_WORK_EXPIRED')]);
  assert.equal([expired.state.phase, expired.state.solving, expired.state.fatal], ['joining', undefined, undefined]);
  assert.equal(expired.command, { kind: 'poll-in', ms: 500 }, 'the first retry after the page minimum');
  assert.is(run([refused(409, 'PROOF_OF_WORK_REPLAYED')]).state.phase, 'joining');
  const entered = run([{ type: 'solving', tried: 10, maxnumber: 1000 }, { type: 'entry', entry: entry(), at }]);
  assert.equal([entered.state.phase, entered.state.solving], ['waiting', undefined]);
});

test('rejoining starts over; leaving ends the page; a failed leave says so', () => {
  const expired = run([{ type: 'entry', entry: entry({ status: 'EXPIRED' }), at }]).state;
  assert.is(reduceQueue(expired, { type: 'rejoin' }).state.phase, 'joining');
  assert.is(reduceQueue(expired, { type: 'left' }).state.phase, 'left');
  assert.match(reduceQueue(expired, { type: 'leave-failed' }).state.problem!, /could not take you out/);
});

test.run();
