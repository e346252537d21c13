// The seat page's state: the map, the fan's selection, the focus and the hold in flight, changed
// only by `reduceSeats`. pages/seats.ts polls the map, calls the API and renders.

import type { Performance, Seat } from '../api/types.ts';
import { formatMoney, seatLabel } from './format.ts';
import { nextPollDelay } from './poll.ts';
import { layoutSeats, reconcileSelection, selectionTotal, toggleSeat, type SeatSection } from './seat-selection.ts';

/** How often the map refreshes while open (the seat list is cacheable and cheap for the catalog). */
export const SEAT_REFRESH_MS = 3_000;

export interface SeatsState {
  performance: Performance | undefined;
  seats: Seat[] | undefined;
  layout: SeatSection[];
  selection: string[];
  focusedId: string | undefined;
  loadProblem: unknown;
  failures: number;
  holding: boolean;
  holdError: string | undefined;
  /** The same key if this exact hold is retried. */
  holdKey: string | undefined;
  /** The fan's live order for this date, when a hold was refused for it. */
  existingOrderId: string | undefined;
}

export type SeatsEvent =
  | { type: 'loaded'; performance: Performance; seats: Seat[] }
  | { type: 'load-failed'; error: unknown }
  | { type: 'toggle'; seat: Seat }
  | { type: 'focus'; seatId: string }
  | { type: 'hold'; newKey: string }
  | { type: 'held' }
  | { type: 'hold-failed'; code: string | undefined; orderId: string | undefined; message: string };

export type SeatsCommand =
  | { kind: 'none' }
  | { kind: 'poll-in'; ms: number; announce?: string }
  | { kind: 'announce'; text: string }
  | { kind: 'create-order'; seatIds: string[]; key: string }
  /** The admission is gone: back to the waiting room (which finds or makes a new one). */
  | { kind: 'to-queue' }
  /** Announce, and read the map again now. */
  | { kind: 'refused'; text: string };

export const initialSeats = (): SeatsState => ({
  performance: undefined, seats: undefined, layout: [], selection: [], focusedId: undefined, loadProblem: undefined,
  failures: 0, holding: false, holdError: undefined, holdKey: undefined, existingOrderId: undefined,
});

export const maxSeats = (state: SeatsState) => state.performance?.maxSeatsPerOrder ?? 1;

export function reduceSeats(state: SeatsState, event: SeatsEvent, random: () => number = Math.random): { state: SeatsState; command: SeatsCommand } {
  switch (event.type) {
    case 'loaded': {
      const { seats, performance } = event;
      const { selection, lost } = reconcileSelection(state.selection, seats);
      const focusedId = state.focusedId && seats.some((s) => s.id === state.focusedId) ? state.focusedId : (seats.find((s) => s.status === 'AVAILABLE') ?? seats[0])?.id;
      const announce = lost.length > 0 ? `Sorry, ${lost.map(seatLabel).join(', ')} ${lost.length === 1 ? 'was' : 'were'} just taken by someone else.` : undefined;
      return {
        state: { ...state, performance, seats, layout: layoutSeats(seats), selection, focusedId, failures: 0, loadProblem: undefined },
        command: { kind: 'poll-in', ms: SEAT_REFRESH_MS, ...(announce ? { announce } : {}) },
      };
    }
    case 'load-failed': {
      const failures = state.failures + 1;
      const loadProblem = !state.seats || !state.performance ? event.error : state.loadProblem;
      return { state: { ...state, failures, loadProblem }, command: { kind: 'poll-in', ms: nextPollDelay({ pollAfterMs: SEAT_REFRESH_MS, consecutiveFailures: failures, random }) } };
    }
    case 'toggle': {
      const { seat } = event;
      const max = maxSeats(state);
      const result = toggleSeat(state.selection, seat, max);
      const next = { ...state, focusedId: seat.id, selection: result.selection, holdError: undefined as string | undefined };
      const total = selectionTotal(result.selection, state.seats ?? []);
      const totalText = total ? ` Total ${formatMoney(total.amount, total.currency)}.` : '';
      switch (result.outcome) {
        case 'added': return { state: next, command: { kind: 'announce', text: `${seatLabel(seat)} selected. ${result.selection.length} of ${max} seats.${totalText}` } };
        case 'removed': return { state: next, command: { kind: 'announce', text: `${seatLabel(seat)} removed. ${result.selection.length} of ${max} seats.${totalText}` } };
        case 'unavailable': return { state: next, command: { kind: 'announce', text: `${seatLabel(seat)} is not available.` } };
        case 'limit': {
          const holdError = `You can choose up to ${max} seats per order.`;
          return { state: { ...next, holdError }, command: { kind: 'announce', text: holdError } };
        }
      }
      break;
    }
    case 'focus':
      return { state: { ...state, focusedId: event.seatId }, command: { kind: 'none' } };
    case 'hold': {
      if (state.selection.length === 0 || state.holding) return { state, command: { kind: 'none' } };
      const holdKey = state.holdKey ?? event.newKey;
      return { state: { ...state, holding: true, holdError: undefined, holdKey }, command: { kind: 'create-order', seatIds: state.selection, key: holdKey } };
    }
    case 'held':
      return { state: { ...state, holding: false }, command: { kind: 'none' } };
    case 'hold-failed': {
      const next = { ...state, holding: false, holdKey: undefined };
      if (event.code === 'QUEUE_TOKEN_INVALID' || event.code === 'QUEUE_TOKEN_REQUIRED') return { state: next, command: { kind: 'to-queue' } };
      const holdError = event.code === 'SEAT_UNAVAILABLE'
        ? 'Some of your seats were just taken by someone else. The map is updated: please choose again.'
        : event.code === 'ACTIVE_ORDER_EXISTS'
          ? 'You already have an order for this date. One order per fan and date keeps it fair.'
          : event.message;
      return { state: { ...next, holdError, existingOrderId: event.code === 'ACTIVE_ORDER_EXISTS' ? event.orderId : undefined }, command: { kind: 'refused', text: holdError } };
    }
  }
  return { state, command: { kind: 'none' } };
}
