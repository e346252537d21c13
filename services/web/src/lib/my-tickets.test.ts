import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Ticket } from '../api/types.ts';
import { initialMyTickets, myTicketsReducer, secondsToNextStep, showsCode, stepOf, ticketLabel, ticketSeat } from './my-tickets.ts';

const ticket = (over: Partial<Ticket> = {}): Ticket => ({
  id: 't1', orderId: 'o', performanceId: 'p', scheduleId: 's', title: 'Hamlet', startsAt: null,
  seat: { seatId: 'seat-1', section: 'A', row: 3, number: 7, grade: 'R' }, status: 'VALID', revokedReason: null, checkedInAt: null,
  version: 1, transfers: 0, code: { mode: 'STATIC', code: 'TP1.x' }, issuedAt: '2026-12-07T00:00:00Z', ...over,
});

test('a ticket says what it is: valid, used, refunded, cancelled, transferred', () => {
  assert.is(ticketLabel(ticket(), undefined), 'Valid');
  assert.is(ticketLabel(ticket({ checkedInAt: '2026-12-07T19:00:00Z' }), undefined), 'Used');
  assert.is(ticketLabel(ticket({ status: 'REVOKED', revokedReason: 'ORDER_REFUNDED' }), undefined), 'Refunded');
  assert.is(ticketLabel(ticket({ status: 'REVOKED', revokedReason: 'PERFORMANCE_CANCELLED' }), undefined), 'Cancelled');
  assert.is(ticketLabel(ticket(), 'friend@example.org'), 'Transferred');
  assert.is(ticketSeat(ticket()), 'Section A, row 3, seat 7');
  assert.ok(showsCode(ticket(), undefined));
  assert.not.ok(showsCode(ticket({ checkedInAt: 'x' }), undefined));
});

test('a done transfer drops the code from the page at once', () => {
  let s = myTicketsReducer(initialMyTickets, { type: 'loaded', tickets: [ticket()] });
  s = myTicketsReducer(s, { type: 'transfer-opened', ticketId: 't1' });
  s = myTicketsReducer(s, { type: 'transfer-started', ticketId: 't1' });
  s = myTicketsReducer(s, { type: 'transfer-done', ticketId: 't1', email: 'friend@example.org' });
  assert.equal([s.transferOpen, s.transferBusy, s.tickets?.[0]?.code, s.transferred.t1], [undefined, undefined, null, 'friend@example.org']);
  s = myTicketsReducer(s, { type: 'transfer-failed', ticketId: 't1', message: 'no' });
  assert.equal(s.transferError, { ticketId: 't1', message: 'no' });
});

test('rotating codes move on every 30 s step', () => {
  assert.is(stepOf(59_999, 30), 1);
  assert.is(stepOf(60_000, 30), 2);
  assert.is(secondsToNextStep(61_000, 30), 29);
});

test.run();
