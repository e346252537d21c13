/**
 * A fan's tickets from confirmation to the door: issued once per seat, revoked on refund and
 * cancellation, transferred, and checked in once, against a real Postgres and the real auth service.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually } from '@ticketping/testing';
import { fromBase64Url, rotateCode } from '../src/codes/codes.ts';
import { TOPICS } from '../src/tickets/tickets.events.ts';
import { recordEvents, scan, startTickets, type Account, type Harness } from './harness.ts';

let h: Harness;
let recorder: Awaited<ReturnType<typeof recordEvents>>;
let admin: Account;
let staff: Account;
test.before(async () => {
  h = await startTickets();
  recorder = await recordEvents(h.bus, [TOPICS.tickets]);
  admin = { id: randomUUID(), email: 'admin@example.test' };
  staff = await h.auth.signUp();
});
test.after(async () => {
  await recorder.stop();
  await h.close();
});

/** Makes `staff` a scanner of the show, as an administrator does. */
async function grantStaff(performanceId: string) {
  const res = await h.call('POST', `/api/v1/check-in/performances/${performanceId}/staff`, { userId: admin.id, role: 'ADMIN', body: { email: staff.email } });
  assert.ok([200, 201].includes(res.status), JSON.stringify(res.body));
}

const sync = (performanceId: string, gate: string, scans: unknown[]) =>
  h.call('POST', `/api/v1/check-in/performances/${performanceId}/scans`, { userId: staff.id, body: { gate, deviceId: `${gate}-phone`, scans } });

test('a confirmed order gets one ticket per seat, once, however often the event comes', async () => {
  const show = await h.publishShow(3);
  const fan = await h.auth.signUp();
  const confirmed = await h.confirmOrder(fan.id, show, show.seatIds.slice(0, 2));
  const orderId = (confirmed.payload as { orderId: string }).orderId;
  const tickets = await h.ticketsOf(fan.id, orderId, 2);
  assert.is(await h.service.handleEvent(confirmed), 'duplicate', 'the same event again');
  const again = { ...confirmed, id: randomUUID() }; // booking's relay published it twice
  await h.bus.publish(TOPICS.orders, [again]);
  await eventually(async () => (await h.db.knex('inbox').where('event_id', again.id).first()) !== undefined);
  assert.is((await h.db.knex('tickets').where('order_id', orderId)).length, 2);
  const issued = await eventually(() => { const e = recorder.of('ticket.issued').filter((x) => (x.payload as { orderId: string }).orderId === orderId); return e.length === 2 ? e : undefined; });
  assert.equal(issued.map((e) => (e.payload as { seatId: string }).seatId).sort(), show.seatIds.slice(0, 2).sort());

  const first = tickets.find((t) => (t.seat as { number: number }).number === 1)!;
  assert.equal(first.seat, { seatId: show.seatIds[0], section: 'A', row: 3, number: 1, grade: 'R' });
  assert.equal([first.title, first.status, first.checkedInAt], ['Hamlet', 'VALID', null]);
  assert.ok(typeof first.startsAt === 'string');
  assert.match(first.code!.code, /^TP1\./);

  const svg = await h.call('GET', `/api/v1/tickets/${first.id}/qr`, { userId: fan.id });
  assert.equal([svg.status, svg.headers.get('content-type')], [200, 'image/svg+xml; charset=utf-8']);
  assert.match(svg.text, /<svg/);
  const png = await h.call('GET', `/api/v1/tickets/${first.id}/qr?format=png`, { userId: fan.id });
  assert.equal([png.status, png.headers.get('content-type')], [200, 'image/png']);
  const ics = await h.call('GET', `/api/v1/tickets/${first.id}/calendar.ics`, { userId: fan.id });
  assert.is(ics.status, 200);
  assert.match(ics.headers.get('content-type') ?? '', /text\/calendar/);
  assert.match(ics.text, /BEGIN:VEVENT[\s\S]*SUMMARY:Hamlet[\s\S]*END:VEVENT/);

  const stranger = await h.call('GET', `/api/v1/tickets/${first.id}`, { userId: (await h.auth.signUp()).id });
  assert.equal([stranger.status, stranger.body.code], [404, 'TICKET_NOT_FOUND']);
});

test('a refunded order\'s tickets are revoked: gone from the fan\'s codes, in the revocation list, refused at the door', async () => {
  const show = await h.publishShow(2);
  await grantStaff(show.performanceId);
  const fan = await h.auth.signUp();
  const confirmed = await h.confirmOrder(fan.id, show, show.seatIds);
  const orderId = (confirmed.payload as { orderId: string }).orderId;
  const [ticket] = await h.ticketsOf(fan.id, orderId, 2);
  const before = await h.call('GET', `/api/v1/check-in/performances/${show.performanceId}/revocations`, { userId: staff.id });
  assert.equal([before.status, before.body.items], [200, []]);

  await h.bus.publish(TOPICS.orders, [h.orderEvent('order.refunded', orderId, fan.id, show, show.seatIds)]);
  const revoked = await eventually(async () => {
    const list = await h.call('GET', `/api/v1/check-in/performances/${show.performanceId}/revocations?since=${String(before.body.nextCursor)}`, { userId: staff.id });
    return (list.body.items as unknown[]).length === 2 ? list.body : undefined;
  });
  assert.ok((revoked.items as Array<{ ticketId: string; reason: string }>).every((r) => r.reason === 'ORDER_REFUNDED'));
  const after = await h.call('GET', `/api/v1/check-in/performances/${show.performanceId}/revocations?since=${String(revoked.nextCursor)}`, { userId: staff.id });
  assert.equal(after.body.items, [], 'the cursor moves past what was fetched');

  const mine = await h.call('GET', `/api/v1/tickets/${ticket!.id}`, { userId: fan.id });
  assert.equal([mine.body.status, mine.body.revokedReason, mine.body.code], ['REVOKED', 'ORDER_REFUNDED', null]);
  const door = await sync(show.performanceId, 'North', [scan(ticket!.code!.code, show.scheduleId)]);
  assert.is((door.body.results as Array<{ outcome: string }>)[0]!.outcome, 'REVOKED');
  await eventually(() => recorder.of('ticket.revoked').filter((e) => (e.payload as { orderId: string }).orderId === orderId).length === 2);
});

test('the organiser\'s timeline counts a date\'s tickets issued, revoked and checked in per minute and per gate', async () => {
  const show = await h.publishShow(4);
  await grantStaff(show.performanceId);
  const fan = await h.auth.signUp();
  const kept = await h.confirmOrder(fan.id, show, show.seatIds.slice(0, 3));
  const refunded = await h.confirmOrder(fan.id, show, show.seatIds.slice(3));
  const tickets = await h.ticketsOf(fan.id, (kept.payload as { orderId: string }).orderId, 3);
  const refundedId = (refunded.payload as { orderId: string }).orderId;
  await h.ticketsOf(fan.id, refundedId, 1);
  await h.bus.publish(TOPICS.orders, [h.orderEvent('order.refunded', refundedId, fan.id, show, show.seatIds.slice(3))]);
  await eventually(async () => (await h.db.knex('revocations').where('performance_id', show.performanceId)).length === 1);
  // Two entries at North a minute ago (a gate that synced late), one at South now.
  const earlier = new Date(Date.now() - 60_000);
  await sync(show.performanceId, 'North', tickets.slice(0, 2).map((t) => scan(t.code!.code, show.scheduleId, earlier)));
  await sync(show.performanceId, 'South', [scan(tickets[2]!.code!.code, show.scheduleId)]);

  const path = `/api/v1/check-in/performances/${show.performanceId}/timeline?scheduleId=${show.scheduleId}&minutes=60`;
  const timeline = await h.call('GET', path, { userId: admin.id, role: 'ADMIN' });
  assert.is(timeline.status, 200, JSON.stringify(timeline.body));
  const buckets = timeline.body.buckets as Array<{ minute: string; issued: number; revoked: number; checkedIn: number; gates: Record<string, number> }>;
  const sum = (key: 'issued' | 'revoked' | 'checkedIn') => buckets.reduce((n, b) => n + b[key], 0);
  assert.equal([sum('issued'), sum('revoked'), sum('checkedIn')], [4, 1, 3]);
  const minuteOf = (d: Date) => new Date(Math.floor(d.getTime() / 60_000) * 60_000).toISOString();
  assert.equal(buckets.find((b) => b.minute === minuteOf(earlier))?.gates.North, 2, 'entries count when the gate admitted them, not when they synced');
  assert.equal(buckets.reduce((n, b) => n + (b.gates.South ?? 0), 0), 1);
  assert.ok(buckets.every((b, i) => i === 0 || buckets[i - 1]!.minute < b.minute), 'oldest first');
  const otherDate = await h.call('GET', `/api/v1/check-in/performances/${show.performanceId}/timeline?scheduleId=${show.otherScheduleId}`, { userId: admin.id, role: 'ADMIN' });
  assert.equal(otherDate.body.buckets, [], 'another date of the show has its own timeline');

  const notAdmin = await h.call('GET', path, { userId: staff.id });
  assert.is(notAdmin.status, 403);
  const bad = await h.call('GET', `/api/v1/check-in/performances/${show.performanceId}/timeline?scheduleId=nope`, { userId: admin.id, role: 'ADMIN' });
  assert.equal([bad.status, bad.body.code], [400, 'VALIDATION_FAILED']);
});

test('a cancelled performance revokes every ticket of it', async () => {
  const show = await h.publishShow(2);
  const fan = await h.auth.signUp();
  const confirmed = await h.confirmOrder(fan.id, show, show.seatIds);
  await h.ticketsOf(fan.id, (confirmed.payload as { orderId: string }).orderId, 2);
  await h.bus.publish(TOPICS.catalog, [{ id: randomUUID(), type: 'performance.cancelled', key: show.performanceId, payload: { performanceId: show.performanceId, cancelledAt: new Date().toISOString() }, occurredAt: new Date().toISOString() }]);
  await eventually(async () => (await h.db.knex('tickets').where({ performance_id: show.performanceId, status: 'REVOKED', revoked_reason: 'PERFORMANCE_CANCELLED' })).length === 2);
});

test('an order confirmed after its performance was cancelled (the topics are not ordered) gets its tickets already revoked', async () => {
  const show = await h.publishShow(1);
  await h.bus.publish(TOPICS.catalog, [{ id: randomUUID(), type: 'performance.cancelled', key: show.performanceId, payload: { performanceId: show.performanceId, cancelledAt: new Date().toISOString() }, occurredAt: new Date().toISOString() }]);
  await eventually(async () => (await h.db.knex('performances').where('performance_id', show.performanceId).first())?.cancelled_at);
  const fan = await h.auth.signUp();
  const confirmed = await h.confirmOrder(fan.id, show, show.seatIds);
  const [ticket] = await h.ticketsOf(fan.id, (confirmed.payload as { orderId: string }).orderId, 1);
  assert.equal([ticket!.status, ticket!.revokedReason, ticket!.code], ['REVOKED', 'PERFORMANCE_CANCELLED', null]);
});

test('a transfer moves the ticket: the old code is refused, the receiver\'s new one admitted; limited, no price', async () => {
  const show = await h.publishShow(1);
  await grantStaff(show.performanceId);
  const [sender, receiver, third] = [await h.auth.signUp(), await h.auth.signUp(), await h.auth.signUp()];
  const confirmed = await h.confirmOrder(sender.id, show, show.seatIds);
  const [ticket] = await h.ticketsOf(sender.id, (confirmed.payload as { orderId: string }).orderId, 1);
  const oldCode = ticket!.code!.code;

  const priced = await h.call('POST', `/api/v1/tickets/${ticket!.id}/transfers`, { userId: sender.id, body: { email: receiver.email, price: 90_000 } });
  assert.equal([priced.status, priced.body.code], [400, 'VALIDATION_FAILED']);
  const nobody = await h.call('POST', `/api/v1/tickets/${ticket!.id}/transfers`, { userId: sender.id, body: { email: 'nobody@example.test' } });
  assert.equal([nobody.status, nobody.body.code], [404, 'RECIPIENT_NOT_FOUND']);

  const moved = await h.call('POST', `/api/v1/tickets/${ticket!.id}/transfers`, { userId: sender.id, body: { email: receiver.email.toUpperCase() } });
  assert.equal([moved.status, moved.body.version], [201, 2]);
  assert.is((await h.call('GET', `/api/v1/tickets/${ticket!.id}`, { userId: sender.id })).status, 404, 'the sender no longer holds it');
  const received = await h.call('GET', `/api/v1/tickets/${ticket!.id}`, { userId: receiver.id });
  const newCode = (received.body.code as { code: string }).code;
  assert.is.not(newCode, oldCode);

  const list = await h.call('GET', `/api/v1/check-in/performances/${show.performanceId}/revocations`, { userId: staff.id });
  assert.equal((list.body.items as Array<{ ticketId: string; version: number; reason: string }>).map((r) => [r.ticketId, r.version, r.reason]), [[ticket!.id, 1, 'TRANSFERRED']]);
  const door = await sync(show.performanceId, 'North', [scan(oldCode, show.scheduleId), scan(newCode, show.scheduleId)]);
  assert.equal((door.body.results as Array<{ outcome: string }>).map((r) => r.outcome), ['REVOKED', 'ADMITTED']);

  // Used at the door: no more transfers (and the limit would stop a chain of them).
  const used = await h.call('POST', `/api/v1/tickets/${ticket!.id}/transfers`, { userId: receiver.id, body: { email: third.email } });
  assert.equal([used.status, used.body.code], [409, 'TICKET_CHECKED_IN']);
});

test('a ticket may be transferred TRANSFER_LIMIT times, then no more', async () => {
  const show = await h.publishShow(1);
  const fans = [await h.auth.signUp(), await h.auth.signUp(), await h.auth.signUp(), await h.auth.signUp()];
  const confirmed = await h.confirmOrder(fans[0]!.id, show, show.seatIds);
  const [ticket] = await h.ticketsOf(fans[0]!.id, (confirmed.payload as { orderId: string }).orderId, 1);
  for (let i = 0; i < 2; i++) {
    const res = await h.call('POST', `/api/v1/tickets/${ticket!.id}/transfers`, { userId: fans[i]!.id, body: { email: fans[i + 1]!.email } });
    assert.is(res.status, 201);
  }
  const third = await h.call('POST', `/api/v1/tickets/${ticket!.id}/transfers`, { userId: fans[2]!.id, body: { email: fans[3]!.email } });
  assert.equal([third.status, third.body.code, third.body.limit], [409, 'TRANSFER_LIMIT_REACHED', 2]);
});

test('a ticket enters once: two gates scanning it offline are both recorded, the later sync flagged as a duplicate', async () => {
  const show = await h.publishShow(1);
  await grantStaff(show.performanceId);
  const fan = await h.auth.signUp();
  const confirmed = await h.confirmOrder(fan.id, show, show.seatIds);
  const [ticket] = await h.ticketsOf(fan.id, (confirmed.payload as { orderId: string }).orderId, 1);
  const northScan = scan(ticket!.code!.code, show.scheduleId, new Date(Date.now() - 120_000));
  const southScan = scan(ticket!.code!.code, show.scheduleId, new Date(Date.now() - 60_000));

  const north = await sync(show.performanceId, 'North', [northScan]);
  assert.equal(north.body.results, [{ scanId: northScan.scanId, ticketId: ticket!.id, outcome: 'ADMITTED' }]);
  const south = await sync(show.performanceId, 'South', [southScan]);
  assert.equal(south.body.results, [{ scanId: southScan.scanId, ticketId: ticket!.id, outcome: 'DUPLICATE', firstCheckIn: { gate: 'North', scannedAt: northScan.scannedAt } }]);
  // A scanner that lost the answer sends the batch again: same answers, nothing recorded twice.
  assert.equal((await sync(show.performanceId, 'North', [northScan])).body.results, north.body.results);
  assert.equal((await sync(show.performanceId, 'South', [southScan])).body.results, south.body.results);

  // A gate that is online learns the entry made elsewhere, and can refuse the ticket itself.
  const feed = await h.call('GET', `/api/v1/check-in/performances/${show.performanceId}/check-ins?since=0`, { userId: staff.id });
  assert.equal(feed.body.items, [{ ticketId: ticket!.id, version: 1, gate: 'North', scannedAt: northScan.scannedAt }]);
  const rest = await h.call('GET', `/api/v1/check-in/performances/${show.performanceId}/check-ins?since=${String(feed.body.nextCursor)}`, { userId: staff.id });
  assert.equal([rest.body.items, rest.body.more], [[], false]);

  const flagged = await h.call('GET', `/api/v1/check-in/performances/${show.performanceId}/duplicates`, { userId: staff.id });
  assert.equal(flagged.body.items, [{ ticketId: ticket!.id, gate: 'South', scannedAt: southScan.scannedAt, first: { gate: 'North', scannedAt: northScan.scannedAt } }]);
  const mine = await h.call('GET', `/api/v1/tickets/${ticket!.id}`, { userId: fan.id });
  assert.is(mine.body.checkedInAt, northScan.scannedAt);
  const checkedIn = await eventually(() => recorder.of('ticket.checked-in').filter((e) => (e.payload as { ticketId: string }).ticketId === ticket!.id));
  await new Promise((resolve) => setTimeout(resolve, 100)); // a second event would have been relayed by now
  assert.is(recorder.of('ticket.checked-in').filter((e) => (e.payload as { ticketId: string }).ticketId === ticket!.id).length, checkedIn.length);
  assert.is(checkedIn.length, 1);
});

test('two gates syncing the same ticket at the same moment: the database admits one, the other is a duplicate', async () => {
  const show = await h.publishShow(1);
  await grantStaff(show.performanceId);
  const fan = await h.auth.signUp();
  const confirmed = await h.confirmOrder(fan.id, show, show.seatIds);
  const [ticket] = await h.ticketsOf(fan.id, (confirmed.payload as { orderId: string }).orderId, 1);
  const gates = ['East', 'West', 'North', 'South'];
  const answers = await Promise.all(gates.map((gate) => sync(show.performanceId, gate, [scan(ticket!.code!.code, show.scheduleId)])));
  const outcomes = answers.map((a) => (a.body.results as Array<{ outcome: string }>)[0]!.outcome);
  assert.equal(outcomes.filter((o) => o === 'ADMITTED').length, 1, outcomes.join());
  assert.equal(outcomes.filter((o) => o === 'DUPLICATE').length, 3, outcomes.join());
  assert.is((await h.db.knex('check_ins').where('ticket_id', ticket!.id)).length, 1);
});

test('rotating codes: the fan\'s page makes them from its key; one older than the window is refused', async () => {
  const show = await h.publishShow(1);
  await grantStaff(show.performanceId);
  const fan = await h.auth.signUp();
  const confirmed = await h.confirmOrder(fan.id, show, show.seatIds);
  const [issued] = await h.ticketsOf(fan.id, (confirmed.payload as { orderId: string }).orderId, 1);
  const staticCode = issued!.code!.code;
  const switched = await h.call('PATCH', `/api/v1/check-in/performances/${show.performanceId}`, { userId: admin.id, role: 'ADMIN', body: { codeMode: 'ROTATING' } });
  assert.equal([switched.status, switched.body.codeMode], [200, 'ROTATING']);

  const ticket = await h.call('GET', `/api/v1/tickets/${issued!.id}`, { userId: fan.id });
  const code = ticket.body.code as { mode: string; base: string; key: string; stepSeconds: number };
  assert.equal([code.mode, code.stepSeconds], ['ROTATING', 30]);
  const key = fromBase64Url(code.key);
  const screenshot = await rotateCode(code.base, key, Date.now() - 90_000);
  const fresh = await rotateCode(code.base, key, Date.now());
  const res = await sync(show.performanceId, 'North', [scan(staticCode, show.scheduleId), scan(screenshot, show.scheduleId), scan(fresh, show.scheduleId)]);
  assert.equal((res.body.results as Array<{ outcome: string }>).map((r) => r.outcome), ['CODE_EXPIRED', 'CODE_EXPIRED', 'ADMITTED']);
});

test('a forged code, another date and another performance are refused', async () => {
  const show = await h.publishShow(1);
  await grantStaff(show.performanceId);
  const fan = await h.auth.signUp();
  const confirmed = await h.confirmOrder(fan.id, show, show.seatIds);
  const [ticket] = await h.ticketsOf(fan.id, (confirmed.payload as { orderId: string }).orderId, 1);
  const code = ticket!.code!.code;
  const tampered = `${code.slice(0, 30)}${code[30] === 'A' ? 'B' : 'A'}${code.slice(31)}`;
  const res = await sync(show.performanceId, 'North', [scan(tampered, show.scheduleId), scan('https://example.test/not-a-ticket', show.scheduleId), scan(code, show.otherScheduleId)]);
  assert.equal((res.body.results as Array<{ outcome: string }>).map((r) => r.outcome), ['FORGED', 'FORGED', 'WRONG_DATE']);

  const elsewhere = await h.publishShow(1);
  await grantStaff(elsewhere.performanceId);
  const other = await sync(elsewhere.performanceId, 'North', [scan(code, elsewhere.scheduleId)]);
  assert.is((other.body.results as Array<{ outcome: string }>)[0]!.outcome, 'WRONG_EVENT');
});

test('check-in is for the performance\'s staff: others get 403, bad input 400', async () => {
  const show = await h.publishShow(1);
  const outsider = await h.auth.signUp();
  const bundle = await h.call('GET', `/api/v1/check-in/performances/${show.performanceId}`, { userId: outsider.id });
  assert.equal([bundle.status, bundle.body.code], [403, 'STAFF_ONLY']);
  const grantByFan = await h.call('POST', `/api/v1/check-in/performances/${show.performanceId}/staff`, { userId: outsider.id, body: { email: outsider.email } });
  assert.equal([grantByFan.status, grantByFan.body.code], [403, 'ADMIN_ONLY']);

  await grantStaff(show.performanceId);
  const granted = await h.call('GET', `/api/v1/check-in/performances/${show.performanceId}`, { userId: staff.id });
  assert.is(granted.status, 200);
  assert.equal(Object.keys(granted.body).sort(), ['cancelledAt', 'codeMode', 'keys', 'performanceId', 'rotation', 'schedules', 'title']);
  const staffList = await h.call('GET', `/api/v1/check-in/performances/${show.performanceId}/staff`, { userId: admin.id, role: 'ADMIN' });
  assert.equal((staffList.body.items as Array<{ userId: string }>).map((s) => s.userId), [staff.id]);

  const empty = await sync(show.performanceId, 'North', []);
  assert.equal([empty.status, empty.body.code], [400, 'VALIDATION_FAILED']);
  const badGate = await sync(show.performanceId, '<script>', [scan('x', show.scheduleId)]);
  assert.equal([badGate.status, badGate.body.code], [400, 'VALIDATION_FAILED']);
  const badId = await h.call('GET', '/api/v1/tickets/not-a-uuid', { userId: staff.id });
  assert.equal([badId.status, badId.body.code], [400, 'VALIDATION_FAILED']);
  const direct = await h.call('GET', '/api/v1/tickets', { userId: staff.id, internal: false });
  assert.equal([direct.status, direct.body.code], [401, 'INTERNAL_ONLY']);
  const jwks = await h.call('GET', '/api/v1/tickets/jwks.json');
  assert.equal([jwks.status, (jwks.body.keys as Array<{ kty: string; d?: string }>)[0]?.kty, (jwks.body.keys as Array<{ d?: string }>)[0]?.d], [200, 'OKP', undefined]);
});

test.run();
