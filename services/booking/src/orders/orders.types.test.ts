import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createStatusGuard } from '@ticketping/db';
import { ORDER_STATUS } from '../../migrations/20261124000000_orders.ts';
import { LIVE_STATUSES, ORDER_STATUSES, TRANSITIONS, canTransition } from './orders.types.ts';

test('the state machine: PENDING_PAYMENT → CONFIRMED | CANCELLED | EXPIRED, CONFIRMED → REFUNDED, nothing else', () => {
  const allowed = ORDER_STATUSES.flatMap((from) => ORDER_STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}->${to}`));
  assert.equal(allowed, ['PENDING_PAYMENT->CONFIRMED', 'PENDING_PAYMENT->CANCELLED', 'PENDING_PAYMENT->EXPIRED', 'CONFIRMED->REFUNDED']);
  assert.equal(LIVE_STATUSES, ['PENDING_PAYMENT', 'CONFIRMED']);
});

test('the database trigger allows exactly the transitions the code knows', () => {
  const migration = createStatusGuard(ORDER_STATUS);
  assert.equal(Object.keys(ORDER_STATUS.transitions), Object.keys(TRANSITIONS).filter((from) => TRANSITIONS[from as keyof typeof TRANSITIONS].length > 0), 'no transition the code does not know');
  for (const [from, targets] of Object.entries(TRANSITIONS)) {
    if (targets.length === 0) continue;
    const list = targets.map((t) => `'${t}'`).join(', ');
    const clause = targets.length === 1 ? `old.status = '${from}' and new.status = ${list}` : `old.status = '${from}' and new.status in (${list})`;
    assert.ok(migration.includes(clause), `trigger has: ${clause}`);
  }
});

test.run();
