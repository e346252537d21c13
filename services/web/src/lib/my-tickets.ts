// "My tickets", kept pure: what the page holds, how each event changes it, and what a ticket says
// about itself (seat, status, its return for resale). The page (pages/tickets.ts) runs the effects:
// loading, the 1 s clock that rotates codes, the QR images, the transfer and return requests.

import type { ReturnQuote, Ticket, TicketReturn } from '../api/types.ts';

export interface MyTicketsState {
  tickets: Ticket[] | undefined;
  loadError: unknown;
  /** The ticket whose transfer form is open. */
  transferOpen: string | undefined;
  transferBusy: string | undefined;
  transferError: { ticketId: string; message: string } | undefined;
  /** Sent away from this page: shown as such until the next load drops them. */
  transferred: Record<string, string>;
  /** The latest return of each ticket, by ticket id (booking's list, and answers since). */
  returns: Record<string, TicketReturn>;
  /** The ticket whose "Return for resale" confirmation is open, with its quote once it came. */
  returnOpen: { ticketId: string; quote: ReturnQuote | undefined } | undefined;
  returnBusy: string | undefined;
  returnError: { ticketId: string; message: string } | undefined;
}

export type MyTicketsEvent =
  | { type: 'loaded'; tickets: Ticket[] }
  | { type: 'load-failed'; error: unknown }
  | { type: 'transfer-opened'; ticketId: string }
  | { type: 'transfer-closed' }
  | { type: 'transfer-started'; ticketId: string }
  | { type: 'transfer-done'; ticketId: string; email: string }
  | { type: 'transfer-failed'; ticketId: string; message: string }
  | { type: 'returns-loaded'; returns: TicketReturn[] }
  | { type: 'return-opened'; ticketId: string }
  | { type: 'return-quoted'; quote: ReturnQuote }
  | { type: 'return-closed' }
  | { type: 'return-started'; ticketId: string }
  | { type: 'return-done'; ret: TicketReturn }
  | { type: 'return-failed'; ticketId: string; message: string };

export const initialMyTickets: MyTicketsState = {
  tickets: undefined, loadError: undefined, transferOpen: undefined, transferBusy: undefined, transferError: undefined, transferred: {},
  returns: {}, returnOpen: undefined, returnBusy: undefined, returnError: undefined,
};

/** The list comes newest first: the first return seen of a ticket is its latest. */
function latestByTicket(returns: TicketReturn[]): Record<string, TicketReturn> {
  const latest: Record<string, TicketReturn> = {};
  for (const r of returns) latest[r.ticketId] ??= r;
  return latest;
}

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
    case 'returns-loaded': return { ...state, returns: latestByTicket(event.returns) };
    case 'return-opened': return { ...state, returnOpen: { ticketId: event.ticketId, quote: undefined }, returnError: undefined, transferOpen: undefined };
    case 'return-quoted':
      return state.returnOpen?.ticketId === event.quote.ticketId ? { ...state, returnOpen: { ticketId: event.quote.ticketId, quote: event.quote } } : state;
    case 'return-closed': return { ...state, returnOpen: undefined, returnError: undefined };
    case 'return-started': return { ...state, returnBusy: event.ticketId, returnError: undefined };
    case 'return-done':
      return { ...state, returnBusy: undefined, returnOpen: undefined, returns: { ...state.returns, [event.ret.ticketId]: event.ret } };
    case 'return-failed': return { ...state, returnBusy: undefined, returnError: { ticketId: event.ticketId, message: event.message } };
  }
}

export type ReturnLabel = 'Listed for resale' | 'Sold' | 'Refunded';

/** What the seller sees of a ticket's return; none once withdrawn (the ticket is simply theirs again). */
export function returnLabel(ret: TicketReturn | undefined): ReturnLabel | undefined {
  switch (ret?.status) {
    case 'LISTED': return 'Listed for resale';
    case 'SOLD': return 'Sold';
    case 'REFUNDED': return 'Refunded';
    default: return undefined;
  }
}

/** A valid, unused ticket with no live return may be returned (booking checks it again). */
export function canReturn(ticket: Ticket, transferredTo: string | undefined, ret: TicketReturn | undefined): boolean {
  return ticketLabel(ticket, transferredTo) === 'Valid' && (ret === undefined || ret.status === 'WITHDRAWN');
}

export type TicketLabel = 'Valid' | 'Used' | 'Refunded' | 'Cancelled' | 'Resold' | 'Revoked' | 'Transferred';

export function ticketLabel(ticket: Ticket, transferredTo: string | undefined): TicketLabel {
  if (transferredTo) return 'Transferred';
  if (ticket.status === 'REVOKED') {
    const byReason = { ORDER_REFUNDED: 'Refunded', PERFORMANCE_CANCELLED: 'Cancelled', RETURNED: 'Resold' } as const;
    return (ticket.revokedReason ? byReason[ticket.revokedReason] : undefined) ?? 'Revoked';
  }
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
