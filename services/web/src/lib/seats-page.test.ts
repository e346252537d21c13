import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Performance, Seat } from '../api/types.ts';
import { seatLabel } from './format.ts';
import { initialSeats, reduceSeats, SEAT_REFRESH_MS, type SeatsState } from './seats-page.ts';

const performance = { id: 'p1', maxSeatsPerOrder: 2, grades: [] } as unknown as Performance;
const seat = (id: string, number: number, status: Seat['status'] = 'AVAILABLE') =>
  ({ id, section: 'A', row: 1, number, grade: 'R', price: 4500, currency: 'EUR', status }) as Seat;
const map = (taken: string[] = []) => ['a1', 'a2', 'a3'].map((id, i) => seat(id, i + 1, taken.includes(id) ? 'HELD' : 'AVAILABLE'));
const loaded = (seats = map(), from: SeatsState = initialSeats()) => reduceSeats(from, { type: 'loaded', performance, seats });

test('the map loads, the focus starts on the first free seat, and it refreshes every 3 s', () => {
  const { state, command } = loaded(map(['a1']));
  assert.is(state.focusedId, 'a2');
  assert.equal(command, { kind: 'poll-in', ms: SEAT_REFRESH_MS });
});

test('choosing seats says what is chosen and the total; past the order limit it says the limit', () => {
  let state = loaded().state;
  const first = reduceSeats(state, { type: 'toggle', seat: seat('a1', 1) });
  assert.equal(first.command, { kind: 'announce', text: `${seatLabel(seat('a1', 1))} selected. 1 of 2 seats. Total €45.00.` });
  state = reduceSeats(first.state, { type: 'toggle', seat: seat('a2', 2) }).state;
  const over = reduceSeats(state, { type: 'toggle', seat: seat('a3', 3) });
  assert.equal(over.state.selection, ['a1', 'a2']);
  assert.is(over.state.holdError, 'You can choose up to 2 seats per order.');
});

test('a chosen seat someone else takes is dropped, and the fan is told which', () => {
  const chosen = reduceSeats(loaded().state, { type: 'toggle', seat: seat('a1', 1) }).state;
  const { state, command } = loaded(map(['a1']), chosen);
  assert.equal(state.selection, []);
  assert.match((command as { announce?: string }).announce!, /just taken by someone else/);
});

test('a failed refresh backs off; only a first load that fails shows the error', () => {
  const never = reduceSeats(initialSeats(), { type: 'load-failed', error: new Error('offline') }, () => 0.5);
  assert.instance(never.state.loadProblem, Error);
  assert.equal(never.command, { kind: 'poll-in', ms: 4_500 });
  const later = reduceSeats(loaded().state, { type: 'load-failed', error: new Error('offline') });
  assert.is(later.state.loadProblem, undefined, 'the map already shown stays');
});

test('a hold is sent once under one key, kept while it is in flight', () => {
  const chosen = reduceSeats(loaded().state, { type: 'toggle', seat: seat('a1', 1) }).state;
  const hold = reduceSeats(chosen, { type: 'hold', newKey: 'k1' });
  assert.equal(hold.command, { kind: 'create-order', seatIds: ['a1'], key: 'k1' });
  assert.equal(reduceSeats(hold.state, { type: 'hold', newKey: 'k2' }).command, { kind: 'none' }, 'no second hold while one is in flight');
  assert.equal(reduceSeats(loaded().state, { type: 'hold', newKey: 'k' }).command, { kind: 'none' }, 'nothing chosen, nothing held');
});

test('a refused hold says why, reads the map again and offers the live order; a lost admission goes back to the line', () => {
  const holding = reduceSeats(reduceSeats(loaded().state, { type: 'toggle', seat: seat('a1', 1) }).state, { type: 'hold', newKey: 'k1' }).state;
  const taken = reduceSeats(holding, { type: 'hold-failed', code: 'SEAT_UNAVAILABLE', orderId: undefined, message: 'x' });
  assert.equal([taken.state.holding, taken.state.holdKey, taken.command.kind], [false, undefined, 'refused']);
  const live = reduceSeats(holding, { type: 'hold-failed', code: 'ACTIVE_ORDER_EXISTS', orderId: 'o9', message: 'x' });
  assert.is(live.state.existingOrderId, 'o9');
  assert.match(live.state.holdError!, /already have an order/);
  assert.equal(reduceSeats(holding, { type: 'hold-failed', code: 'QUEUE_TOKEN_INVALID', orderId: undefined, message: 'x' }).command, { kind: 'to-queue' });
});

test.run();
