import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Seat } from '../api/types.ts';
import { gradeOrder, layoutSeats, moveFocus, reconcileSelection, selectionTotal, toggleSeat } from './seat-selection.ts';

function seat(section: string, row: string, number: number, over: Partial<Seat> = {}): Seat {
  return { id: `${section}-${row}-${number}`, section, row: Number(row), number, grade: 'R', price: 5000, currency: 'EUR', status: 'AVAILABLE', ...over };
}

const seats = [
  seat('B', '1', 1, { grade: 'S', price: 3000 }),
  seat('A', '10', 1),
  seat('A', '2', 2),
  seat('A', '2', 1),
  seat('A', '10', 3),
  seat('A', '10', 2, { status: 'SOLD' }),
];

test('lays out sections and rows in natural order', () => {
  const layout = layoutSeats(seats);
  assert.equal(layout.map((s) => s.name), ['A', 'B']);
  assert.equal(layout[0]!.rows.map((r) => r.name), ['2', '10']);
  assert.equal(layout[0]!.rows[1]!.seats.map((s) => s.number), [1, 2, 3]);
});

test('toggling adds, removes, and refuses taken seats and the order limit', () => {
  const free = seat('A', '1', 1);
  const held = seat('A', '1', 2, { status: 'HELD' });
  assert.equal(toggleSeat([], free, 2), { selection: [free.id], outcome: 'added' });
  assert.equal(toggleSeat([free.id], free, 2), { selection: [], outcome: 'removed' });
  assert.equal(toggleSeat([], held, 2), { selection: [], outcome: 'unavailable' });
  assert.equal(toggleSeat(['x', 'y'], free, 2), { selection: ['x', 'y'], outcome: 'limit' });
});

test('a refresh drops seats someone else took and names them', () => {
  const refreshed = [seat('A', '1', 1), seat('A', '1', 2, { status: 'HELD' })];
  const result = reconcileSelection(['A-1-1', 'A-1-2', 'gone'], refreshed);
  assert.equal(result.selection, ['A-1-1']);
  assert.equal(result.lost.map((s) => s.id), ['A-1-2']);
});

test('total of the selection', () => {
  assert.equal(selectionTotal(['A-2-1', 'B-1-1'], seats), { amount: 8000, currency: 'EUR' });
  assert.is(selectionTotal([], seats), undefined);
});

test('arrow keys walk rows, jump rows to the nearest number, and stop at edges', () => {
  const layout = layoutSeats(seats);
  assert.is(moveFocus(layout, 'A-2-1', 'ArrowRight'), 'A-2-2');
  assert.is(moveFocus(layout, 'A-2-2', 'ArrowRight'), 'A-2-2');
  assert.is(moveFocus(layout, 'A-2-1', 'ArrowLeft'), 'A-2-1');
  assert.is(moveFocus(layout, 'A-2-2', 'ArrowDown'), 'A-10-2');
  assert.is(moveFocus(layout, 'A-10-3', 'ArrowDown'), 'B-1-1');
  assert.is(moveFocus(layout, 'A-2-1', 'ArrowUp'), 'A-2-1');
  assert.is(moveFocus(layout, 'A-10-2', 'End'), 'A-10-3');
  assert.is(moveFocus(layout, 'A-10-2', 'Home'), 'A-10-1');
});

test('grades are ordered by price', () => {
  assert.equal(gradeOrder(seats), ['S', 'R']);
});

test.run();
