// The seat map's rules, kept pure: how seats are laid out, what a click does to the selection,
// what a live refresh takes away, and where the arrow keys go.

import type { Seat } from '../api/types.ts';

export interface SeatRow { name: string; seats: Seat[] }
export interface SeatSection { name: string; rows: SeatRow[] }

const natural = new Intl.Collator('en', { numeric: true }).compare;

/** Sections → rows → seats, each in natural order ("Row 2" before "Row 10"). */
export function layoutSeats(seats: readonly Seat[]): SeatSection[] {
  const sections = new Map<string, Map<string, Seat[]>>();
  for (const seat of seats) {
    const rows = sections.get(seat.section) ?? new Map<string, Seat[]>();
    sections.set(seat.section, rows);
    // rows are numbers on the wire; names here, sorted naturally
    rows.set(String(seat.row), [...(rows.get(String(seat.row)) ?? []), seat]);
  }
  return [...sections.entries()]
    .sort(([a], [b]) => natural(a, b))
    .map(([name, rows]) => ({
      name,
      rows: [...rows.entries()].sort(([a], [b]) => natural(a, b)).map(([rowName, rowSeats]) => ({ name: rowName, seats: rowSeats.sort((x, y) => x.number - y.number) })),
    }));
}

export type ToggleOutcome = 'added' | 'removed' | 'unavailable' | 'limit';

/** What choosing a seat does: add it, remove it, or refuse (taken, or the order limit reached). */
export function toggleSeat(selection: readonly string[], seat: Seat, maxSeats: number): { selection: string[]; outcome: ToggleOutcome } {
  if (selection.includes(seat.id)) return { selection: selection.filter((id) => id !== seat.id), outcome: 'removed' };
  if (seat.status !== 'AVAILABLE') return { selection: [...selection], outcome: 'unavailable' };
  if (selection.length >= maxSeats) return { selection: [...selection], outcome: 'limit' };
  return { selection: [...selection, seat.id], outcome: 'added' };
}

/** After a refresh: drop selected seats that someone else took (or that vanished), and say which. */
export function reconcileSelection(selection: readonly string[], seats: readonly Seat[]): { selection: string[]; lost: Seat[] } {
  const byId = new Map(seats.map((s) => [s.id, s]));
  const kept: string[] = [];
  const lost: Seat[] = [];
  for (const id of selection) {
    const seat = byId.get(id);
    if (seat?.status === 'AVAILABLE') kept.push(id);
    else if (seat) lost.push(seat);
  }
  return { selection: kept, lost };
}

/** Sum of the selected seats' prices (one currency per performance). */
export function selectionTotal(selection: readonly string[], seats: readonly Seat[]): { amount: number; currency: string } | undefined {
  const chosen = seats.filter((s) => selection.includes(s.id));
  if (chosen.length === 0) return undefined;
  return { amount: chosen.reduce((sum, s) => sum + s.price, 0), currency: chosen[0]!.currency };
}

export type NavigationKey = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown' | 'Home' | 'End';

/**
 * The seat the focus moves to for a key. Left/Right walk along the row, Up/Down go to the nearest
 * seat number in the row above/below (across section boundaries), Home/End jump to the row's ends.
 * Returns the current id at an edge.
 */
export function moveFocus(layout: readonly SeatSection[], currentId: string, key: NavigationKey): string {
  const rows = layout.flatMap((section) => section.rows);
  const rowIndex = rows.findIndex((row) => row.seats.some((s) => s.id === currentId));
  if (rowIndex < 0) return currentId;
  const row = rows[rowIndex]!;
  const seatIndex = row.seats.findIndex((s) => s.id === currentId);
  const current = row.seats[seatIndex]!;
  switch (key) {
    case 'ArrowLeft': return row.seats[Math.max(0, seatIndex - 1)]!.id;
    case 'ArrowRight': return row.seats[Math.min(row.seats.length - 1, seatIndex + 1)]!.id;
    case 'Home': return row.seats[0]!.id;
    case 'End': return row.seats.at(-1)!.id;
    case 'ArrowUp':
    case 'ArrowDown': {
      const target = rows[rowIndex + (key === 'ArrowUp' ? -1 : 1)];
      if (!target || target.seats.length === 0) return currentId;
      return target.seats.reduce((best, s) => (Math.abs(s.number - current.number) < Math.abs(best.number - current.number) ? s : best)).id;
    }
  }
}

/** Grade names in price order, so the legend and the colours read from cheapest to dearest. */
export function gradeOrder(seats: readonly Seat[]): string[] {
  const prices = new Map<string, number>();
  for (const s of seats) prices.set(s.grade, Math.max(prices.get(s.grade) ?? 0, s.price));
  return [...prices.entries()].sort(([a, pa], [b, pb]) => pa - pb || natural(a, b)).map(([name]) => name);
}
