import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decideAtDoor, initialScanner, scannerReducer } from './door.ts';

const payload = { kid: 'k', mode: 'STATIC' as const, ticketId: 't1', scheduleId: 's', seatId: 'seat', holderId: 'h', version: 1 };
const none = () => undefined;

test('a genuine code admits once; the gate that knows an entry says when and where', () => {
  assert.equal(decideAtDoor({ verdict: 'VALID', payload }, none), { outcome: 'ADMIT', ticketId: 't1', seatId: 'seat' });
  const first = { ticketId: 't1', gate: 'North', scannedAt: '2026-12-07T19:00:00.000Z' };
  assert.equal(decideAtDoor({ verdict: 'VALID', payload }, () => first), { outcome: 'ALREADY_USED', ticketId: 't1', seatId: 'seat', firstEntry: first });
});

test('each refusal of the verify function is its own outcome', () => {
  assert.is(decideAtDoor({ verdict: 'FORGED' }, none).outcome, 'FORGED');
  assert.is(decideAtDoor({ verdict: 'REVOKED', payload }, none).outcome, 'REVOKED');
  assert.is(decideAtDoor({ verdict: 'WRONG_DATE', payload }, none).outcome, 'WRONG_DATE');
  assert.is(decideAtDoor({ verdict: 'WRONG_EVENT', payload }, none).outcome, 'WRONG_EVENT');
  assert.is(decideAtDoor({ verdict: 'CODE_EXPIRED', payload }, none).outcome, 'EXPIRED');
});

test('the scanner counts admissions and refusals and keeps each double entry once', () => {
  let s = scannerReducer(initialScanner, { type: 'scanned', decision: { outcome: 'ADMIT' }, at: 'now', ms: 3, queued: 1 });
  s = scannerReducer(s, { type: 'scanned', decision: { outcome: 'FORGED' }, at: 'now', ms: 2, queued: 1 });
  assert.equal([s.admitted, s.refused, s.queued, s.lastScan?.outcome], [1, 1, 1, 'FORGED']);
  const double = { ticketId: 't1', gate: 'South', scannedAt: 'b', first: { gate: 'North', scannedAt: 'a' } };
  s = scannerReducer(s, { type: 'synced', at: 'then', queued: 0, doubleEntries: [double] });
  s = scannerReducer(s, { type: 'synced', at: 'later', queued: 0, doubleEntries: [double] });
  assert.equal([s.queued, s.doubleEntries.length, s.syncing], [0, 1, false]);
});

test.run();
