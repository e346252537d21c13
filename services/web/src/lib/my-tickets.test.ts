import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Ticket } from '../api/types.ts';
import type { TicketReturn } from '../api/types.ts';
import { canReturn, initialMyTickets, myTicketsReducer, returnLabel, secondsToNextStep, showsCode, stepOf, ticketLabel, ticketSeat } from './my-tickets.ts';

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

const ret = (over: Partial<TicketReturn> = {}): TicketReturn => ({
  id: 'r1', ticketId: 't1', orderId: 'o', seatId: 'seat-1', scheduleId: 's', performanceId: 'p', price: 50_000, fee: 2_500, refund: 47_500, currency: 'KRW',
  status: 'LISTED', createdAt: '2026-12-07T00:00:00Z', soldAt: null, refundedAt: null, ...over,
});

test('a return for resale: the quote before the fan confirms, then its status; a resold ticket says so', () => {
  let s = myTicketsReducer(initialMyTickets, { type: 'loaded', tickets: [ticket()] });
  assert.ok(canReturn(ticket(), undefined, undefined));
  s = myTicketsReducer(s, { type: 'return-opened', ticketId: 't1' });
  assert.equal(s.returnOpen, { ticketId: 't1', quote: undefined });
  s = myTicketsReducer(s, { type: 'return-quoted', quote: { ticketId: 'other', orderId: 'o', seatId: 'x', price: 1, fee: 0, refund: 1, currency: 'KRW' } });
  assert.is(s.returnOpen?.quote, undefined, 'a late quote of another ticket is dropped');
  s = myTicketsReducer(s, { type: 'return-quoted', quote: { ticketId: 't1', orderId: 'o', seatId: 'seat-1', price: 50_000, fee: 2_500, refund: 47_500, currency: 'KRW' } });
  assert.is(s.returnOpen?.quote?.refund, 47_500);
  s = myTicketsReducer(s, { type: 'return-started', ticketId: 't1' });
  s = myTicketsReducer(s, { type: 'return-done', ret: ret() });
  assert.equal([s.returnOpen, s.returnBusy, returnLabel(s.returns.t1)], [undefined, undefined, 'Listed for resale']);
  assert.not.ok(canReturn(ticket(), undefined, s.returns.t1), 'listed once');
  s = myTicketsReducer(s, { type: 'return-failed', ticketId: 't1', message: 'no' });
  assert.equal(s.returnError, { ticketId: 't1', message: 'no' });
  // newest first from booking: the latest return of each ticket wins
  s = myTicketsReducer(s, { type: 'returns-loaded', returns: [ret({ id: 'r2', status: 'REFUNDED' }), ret({ status: 'WITHDRAWN' })] });
  assert.equal([s.returns.t1?.id, returnLabel(s.returns.t1)], ['r2', 'Refunded']);
  assert.is(returnLabel(ret({ status: 'SOLD' })), 'Sold');
  assert.is(returnLabel(ret({ status: 'WITHDRAWN' })), undefined);
  assert.ok(canReturn(ticket(), undefined, ret({ status: 'WITHDRAWN' })), 'withdrawn: may be returned again');
  assert.is(ticketLabel(ticket({ status: 'REVOKED', revokedReason: 'RETURNED' }), undefined), 'Resold');
  assert.not.ok(canReturn(ticket({ checkedInAt: 'x' }), undefined, undefined), 'a used ticket is not returnable');
});

test.run();
