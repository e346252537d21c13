import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Order, WaitlistEntry, WaitlistOffer } from '../api/types.ts';
import {
  claimCountdownAnnouncement, initialWaitlist, joinBlocker, limitOf, OFFER_EXPIRED_TEXT, reduceWaitlist, WAITLIST_POLL_MS, type WaitlistEvent, type WaitlistPageState,
} from './waitlist-page.ts';

const NOW = Date.parse('2026-12-07T10:00:00Z');
const offer = (fields: Partial<WaitlistOffer> = {}): WaitlistOffer => ({
  id: 'o1', scheduleId: 's1', performanceId: 'p', status: 'OPEN', seats: [{ id: 'seat', section: 'A', row: 1, number: 3, grade: 'R', price: 4500 }],
  amount: 4500, currency: 'EUR', expiresAt: new Date(NOW + 600_000).toISOString(), orderId: null, createdAt: new Date(NOW).toISOString(), ...fields,
});
const entry = (fields: Partial<WaitlistEntry> = {}): WaitlistEntry => ({
  id: 'e1', scheduleId: 's1', performanceId: 'p', status: 'WAITING', seatsWanted: 2, place: 3, waiting: 7, joinedAt: new Date(NOW).toISOString(), offer: null, ...fields,
});
const label = () => 'Sat 12 Dec';
const half = () => 0.5;
const run = (events: WaitlistEvent[], from: WaitlistPageState = initialWaitlist(['s1', 's2'], 4)) =>
  events.reduce<{ state: WaitlistPageState; commands: unknown[] }>(({ state }, event) => reduceWaitlist(state, event, label, half), { state: from, commands: [] });
const notOnIt: WaitlistEvent = { type: 'failed', scheduleId: 's1', action: 'load', refusal: { status: 404, code: 'NOT_ON_WAITLIST' } };
const poll = (ms = WAITLIST_POLL_MS) => ({ kind: 'poll-in', scheduleId: 's1', ms });

test('the seats one fan may ask for are the lower of the per-order and per-person limits', () => {
  assert.is(limitOf({ maxSeatsPerOrder: 4, maxSeatsPerPerson: 2 }), 2);
  assert.is(limitOf({ maxSeatsPerOrder: 4 }), 4);
});

test('not signed in, or unconfirmed where the sale asks for it, is explained before any form', () => {
  assert.is(joinBlocker({ signedIn: false, requireVerifiedEmail: false, emailVerified: undefined }), 'sign-in');
  assert.is(joinBlocker({ signedIn: true, requireVerifiedEmail: true, emailVerified: false }), 'verify');
  assert.is(joinBlocker({ signedIn: true, requireVerifiedEmail: true, emailVerified: undefined }), undefined, 'the profile still loading is no refusal');
  assert.is(joinBlocker({ signedIn: true, requireVerifiedEmail: false, emailVerified: false }), undefined);
});

test('a fan not on the list gets the join form; joining sends the seats wanted and shows place and length', () => {
  let { state, commands } = run([notOnIt, { type: 'seats-input', scheduleId: 's1', value: '2' }, { type: 'join', scheduleId: 's1' }]);
  assert.is(state.dates.s1!.phase, 'joining');
  assert.equal(commands, [{ kind: 'join', scheduleId: 's1', seats: 2 }]);
  ({ state, commands } = run([{ type: 'joined', scheduleId: 's1', entry: entry(), created: true }], state));
  assert.is(state.dates.s1!.phase, 'waiting');
  assert.equal([state.dates.s1!.entry?.place, state.dates.s1!.entry?.waiting], [3, 7]);
  assert.equal(commands, [{ kind: 'announce', text: 'You joined the waitlist for Sat 12 Dec. You are number 3 of 7.' }, poll()]);
  assert.is(state.dates.s2!.phase, 'loading', 'the other date is its own');
});

test('while the join solves its proof-of-work the date shows its progress; the answer, or a refusal, ends it', () => {
  let { state } = run([notOnIt, { type: 'join', scheduleId: 's1' }, { type: 'solving', scheduleId: 's1', tried: 2500, maxnumber: 10000 }]);
  assert.equal(state.dates.s1!.solving, { tried: 2500, maxnumber: 10000 });
  ({ state } = run([{ type: 'solving', scheduleId: 's2', tried: 1, maxnumber: 10 }], state));
  assert.is(state.dates.s2!.solving, undefined, 'a date that is not joining shows no check');
  assert.is(run([{ type: 'joined', scheduleId: 's1', entry: entry(), created: true }], state).state.dates.s1!.solving, undefined);
  const refused = run([{ type: 'failed', scheduleId: 's1', action: 'join', refusal: { status: 403, code: 'PROOF_OF_WORK_INVALID' } }], state).state.dates.s1!;
  assert.equal([refused.phase, refused.solving], ['not-joined', undefined]);
});

test('seats wanted outside 1..limit are refused on the page, and by the server too', () => {
  for (const value of ['0', '5', '1.5', 'two', '']) {
    const { state, commands } = run([notOnIt, { type: 'seats-input', scheduleId: 's1', value }, { type: 'join', scheduleId: 's1' }]);
    assert.is(state.dates.s1!.seatsError, 'Ask for 1 to 4 seats.', value);
    assert.equal(commands, []);
  }
  const { state } = run([notOnIt, { type: 'join', scheduleId: 's1' }, { type: 'failed', scheduleId: 's1', action: 'join', refusal: { status: 400, code: 'TOO_MANY_SEATS', message: 'At most 2 seats per order' } }]);
  assert.equal([state.dates.s1!.phase, state.dates.s1!.seatsError], ['not-joined', 'At most 2 seats per order']);
});

test('joining again is told the place is kept, not taken anew', () => {
  const { state } = run([notOnIt, { type: 'join', scheduleId: 's1' }, { type: 'joined', scheduleId: 's1', entry: entry(), created: false }]);
  assert.equal(state.dates.s1!.notice, { tone: 'info', text: 'You were already on this waitlist: your place is kept.' });
});

test('refused joins are explained: seats still on sale, unconfirmed address, an unpaid order, the per-person limit, a capped network', () => {
  const refused = (code: string, extra: object = {}) =>
    run([notOnIt, { type: 'join', scheduleId: 's1' }, { type: 'failed', scheduleId: 's1', action: 'join', refusal: { status: 409, code, ...extra } }]).state.dates.s1!;
  assert.equal(refused('SEATS_AVAILABLE').notice?.action, 'book');
  assert.equal(refused('EMAIL_NOT_VERIFIED').notice?.action, 'verify');
  assert.equal(refused('ACTIVE_ORDER_EXISTS').notice?.action, 'bookings');
  assert.is(refused('PERSON_LIMIT_REACHED', { message: 'You already hold 4 of 4 seats' }).notice?.text, 'You already hold 4 of 4 seats');
  assert.is(refused('ENTRY_CAP_REACHED', { retryAfterSeconds: 30 }).notice?.text, 'Too many people joined from your network just now. Try again in 30 seconds.');
  assert.is(refused('SEATS_AVAILABLE').phase, 'not-joined', 'the form stays');
  const offline = run([notOnIt, { type: 'join', scheduleId: 's1' }, { type: 'failed', scheduleId: 's1', action: 'join', refusal: undefined }]).state.dates.s1!;
  assert.match(offline.notice!.text, /could not reach TicketPing/);
});

test('an offer shows up: announced once, polled on; the countdown running out marks it and reads again', () => {
  const offered = entry({ status: 'OFFERED', place: 0, offer: offer() });
  let { state, commands } = run([{ type: 'entry', scheduleId: 's1', entry: entry() }, { type: 'entry', scheduleId: 's1', entry: offered }]);
  assert.is(state.dates.s1!.phase, 'offered');
  assert.equal(commands, [{ kind: 'announce', text: 'A seat is offered to you for Sat 12 Dec. Claim before the countdown ends.' }, { kind: 'list-offers' }, poll()]);
  ({ commands } = run([{ type: 'entry', scheduleId: 's1', entry: offered }], state));
  assert.equal(commands, [poll()], 'told once');

  ({ state, commands } = run([{ type: 'tick', nowMs: NOW + 599_000 }], state));
  assert.is(state.dates.s1!.phase, 'offered');
  ({ state, commands } = run([{ type: 'tick', nowMs: NOW + 600_000 }], state));
  assert.is(state.dates.s1!.phase, 'offer-expired');
  assert.equal(commands, [{ kind: 'announce', text: 'Your offer ran out; the seats go to the next fan.' }, poll(0)]);
  // The server has not lapsed it yet: it stays run out on the page.
  assert.is(run([{ type: 'entry', scheduleId: 's1', entry: offered }], state).state.dates.s1!.phase, 'offer-expired');
  // Then it has: the join form again, with why.
  const lapsed = run([{ type: 'entry', scheduleId: 's1', entry: entry({ status: 'LAPSED', place: 0 }) }], state).state.dates.s1!;
  assert.equal([lapsed.phase, lapsed.notice?.text], ['not-joined', OFFER_EXPIRED_TEXT]);
});

test('claiming makes an order and goes to checkout; a claim too late is explained', () => {
  const offered = run([{ type: 'entry', scheduleId: 's1', entry: entry({ status: 'OFFERED', offer: offer() }) }]).state;
  let { state, commands } = run([{ type: 'claim', scheduleId: 's1' }], offered);
  assert.equal([state.dates.s1!.phase, commands], ['claiming', [{ kind: 'claim', scheduleId: 's1', offerId: 'o1' }]]);
  // A poll answering meanwhile does not undo the claim on its way.
  assert.is(run([{ type: 'entry', scheduleId: 's1', entry: entry({ status: 'OFFERED', offer: offer() }) }], state).state.dates.s1!.phase, 'claiming');
  ({ state, commands } = run([{ type: 'claimed', scheduleId: 's1', order: { id: 'order-1' } as Order }], state));
  assert.equal([state.dates.s1!.phase, state.dates.s1!.orderId], ['claimed', 'order-1']);
  assert.equal(commands.at(-1), { kind: 'checkout', orderId: 'order-1' });

  const late = run([{ type: 'claim', scheduleId: 's1' }, { type: 'failed', scheduleId: 's1', action: 'claim', refusal: { status: 409, code: 'OFFER_NOT_OPEN', offerStatus: 'EXPIRED' } }], offered);
  assert.equal([late.state.dates.s1!.phase, late.state.dates.s1!.notice?.text, late.commands], ['offer-expired', OFFER_EXPIRED_TEXT, [poll(0)]]);
});

test('a claimed entry finds its order among the offers, to pay it', () => {
  const claimed = run([{ type: 'entry', scheduleId: 's1', entry: entry({ status: 'CLAIMED', place: 0 }) }]);
  assert.equal([claimed.state.dates.s1!.phase, claimed.commands], ['claimed', [{ kind: 'list-offers' }]]);
  const { state } = run([{ type: 'offers', offers: [offer({ status: 'CLAIMED', orderId: 'order-9' }), offer({ id: 'x', scheduleId: 'elsewhere' })] }], claimed.state);
  assert.is(state.dates.s1!.orderId, 'order-9');
  assert.equal(state.offers.map((o) => o.id), ['o1'], "only this performance's dates");
});

test('leaving with an offer passes it on; a failed leave keeps the place and reads again', () => {
  const offered = run([{ type: 'entry', scheduleId: 's1', entry: entry({ status: 'OFFERED', offer: offer() }) }]).state;
  const { state, commands } = run([{ type: 'leave', scheduleId: 's1' }], offered);
  assert.equal([state.dates.s1!.phase, commands], ['leaving', [{ kind: 'leave', scheduleId: 's1' }]]);
  const left = run([{ type: 'left', scheduleId: 's1', entry: entry({ status: 'LEFT', place: 0 }) }], state).state.dates.s1!;
  assert.equal([left.phase, left.notice?.text], ['not-joined', 'You left the waitlist; the seats offered to you went to the next fan.']);
  const failed = run([{ type: 'failed', scheduleId: 's1', action: 'leave', refusal: undefined }], state);
  assert.equal([failed.state.dates.s1!.phase, failed.commands], ['offered', [poll(0)]]);
});

test('reads that fail back off and say so; a lost session goes to sign-in', () => {
  const waiting = run([{ type: 'entry', scheduleId: 's1', entry: entry() }]).state;
  const first = run([{ type: 'failed', scheduleId: 's1', action: 'load', refusal: undefined }], waiting);
  assert.equal([first.state.dates.s1!.retrying, first.state.dates.s1!.phase], [true, 'waiting']);
  assert.equal(first.commands, [poll(7_500)], 'half the doubled step and a half of the rest');
  assert.equal(run([{ type: 'failed', scheduleId: 's1', action: 'load', refusal: { status: 503, retryAfterSeconds: 20 } }], waiting).commands, [poll(20_000)]);
  assert.is(run([{ type: 'entry', scheduleId: 's1', entry: entry() }], first.state).state.dates.s1!.retrying, false);
  assert.equal(run([{ type: 'failed', scheduleId: 's1', action: 'load', refusal: { status: 401 } }], waiting).commands, [{ kind: 'sign-in' }]);
});

test('the countdown speaks at its thresholds in words', () => {
  assert.is(claimCountdownAnnouncement(5 * 60_000), '5 minutes left to claim the seats offered to you.');
  assert.is(claimCountdownAnnouncement(60_000), '1 minute left to claim the seats offered to you.');
  assert.is(claimCountdownAnnouncement(30_000), '30 seconds left to claim the seats offered to you.');
});

test.run();
