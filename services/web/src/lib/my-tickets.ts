// "My tickets", kept pure: what the page holds, how each event changes it, and what a ticket says
// about itself (seat, status). The page (pages/tickets.ts) runs the effects: loading, the 1 s clock
// that rotates codes, the QR images, the transfer request.

import type { Ticket } from '../api/types.ts';

export interface MyTicketsState {
  tickets: Ticket[] | undefined;
  loadError: unknown;
  /** The ticket whose transfer form is open. */
  transferOpen: string | undefined;
  transferBusy: string | undefined;
  transferError: { ticketId: string; message: string } | undefined;
  /** Sent away from this page: shown as such until the next load drops them. */
  transferred: Record<string, string>;
}

export type MyTicketsEvent =
  | { type: 'loaded'; tickets: Ticket[] }
  | { type: 'load-failed'; error: unknown }
  | { type: 'transfer-opened'; ticketId: string }
  | { type: 'transfer-closed' }
  | { type: 'transfer-started'; ticketId: string }
  | { type: 'transfer-done'; ticketId: string; email: string }
  | { type: 'transfer-failed'; ticketId: string; message: string };

export const initialMyTickets: MyTicketsState = { tickets: undefined, loadError: undefined, transferOpen: undefined, transferBusy: undefined, transferError: undefined, transferred: {} };

export function myTicketsReducer(state: MyTicketsState, event: MyTicketsEvent): MyTicketsState {
  switch (event.type) {
    case 'loaded': return { ...state, tickets: event.tickets, loadError: undefined };
    case 'load-failed': return { ...state, loadError: event.error };
    case 'transfer-opened': return { ...state, transferOpen: event.ticketId, transferError: undefined };
    case 'transfer-closed': return { ...state, transferOpen: undefined, transferError: undefined };
    case 'transfer-started': return { ...state, transferBusy: event.ticketId, transferError: undefined };
    case 'transfer-done':
      return {
        ...state,
        transferBusy: undefined,
        transferOpen: undefined,
        transferred: { ...state.transferred, [event.ticketId]: event.email },
        // The code in hand is dead the moment the server answered: stop showing it.
        tickets: state.tickets?.map((t) => (t.id === event.ticketId ? { ...t, code: null } : t)),
      };
    case 'transfer-failed': return { ...state, transferBusy: undefined, transferError: { ticketId: event.ticketId, message: event.message } };
  }
}

export type TicketLabel = 'Valid' | 'Used' | 'Refunded' | 'Cancelled' | 'Revoked' | 'Transferred';

export function ticketLabel(ticket: Ticket, transferredTo: string | undefined): TicketLabel {
  if (transferredTo) return 'Transferred';
  if (ticket.status === 'REVOKED') return ticket.revokedReason === 'ORDER_REFUNDED' ? 'Refunded' : ticket.revokedReason === 'PERFORMANCE_CANCELLED' ? 'Cancelled' : 'Revoked';
  return ticket.checkedInAt ? 'Used' : 'Valid';
}

/** "Section A, row 3, seat 12" (or the seat id's start while the seat copy is not there yet). */
export function ticketSeat(ticket: Ticket): string {
  const s = ticket.seat;
  return s.section !== undefined ? `Section ${s.section}, row ${s.row}, seat ${s.number}` : `Seat ${s.seatId.slice(0, 8)}`;
}

/** Whether a ticket has a code to show now (valid, not used, not given away). */
export function showsCode(ticket: Ticket, transferredTo: string | undefined): boolean {
  return ticket.code !== null && ticketLabel(ticket, transferredTo) === 'Valid';
}

/** Rotating codes change with the step; the page re-makes them only when it moved on. */
export const stepOf = (nowMs: number, stepSeconds: number) => Math.floor(nowMs / 1000 / stepSeconds);

/** Seconds until the shown code changes, for the little countdown under a rotating QR. */
export const secondsToNextStep = (nowMs: number, stepSeconds: number) => stepSeconds - Math.floor((nowMs / 1000) % stepSeconds);
