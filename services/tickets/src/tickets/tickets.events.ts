import { enqueue } from '@ticketping/bus';
import type { EventPayload } from '@ticketping/contracts/events';
import { TOPICS as CONTRACT_TOPICS } from '@ticketping/contracts/topics';
import type { Knex } from '@ticketping/db';
import type { Ticket } from './tickets.types.ts';

/** The tickets service's schema: its outbox and inbox live there too. */
export const SCHEMA = 'tickets';

export const TOPICS = {
  tickets: CONTRACT_TOPICS.ticketsTickets,
  orders: CONTRACT_TOPICS.bookingOrders,
  catalog: CONTRACT_TOPICS.catalogPerformances,
} as const;

/** What each ticket event adds to the ticket's facts (packages/contracts events). */
interface TicketEventExtras {
  'ticket.issued': Record<string, never>;
  'ticket.revoked': Pick<EventPayload<'ticket.revoked'>, 'reason'>;
  'ticket.transferred': Pick<EventPayload<'ticket.transferred'>, 'fromUserId' | 'previousVersion'>;
}

/** Written in the transaction of the change: published if and only if it commits (docs/events.md). */
export async function emitTicketEvent<T extends keyof TicketEventExtras>(trx: Knex.Transaction, type: T, ticket: Ticket, ...extra: T extends 'ticket.issued' ? [] : [TicketEventExtras[T]]): Promise<void> {
  const payload: EventPayload<'ticket.issued'> = {
    ticketId: ticket.id, orderId: ticket.orderId, userId: ticket.holderId, performanceId: ticket.performanceId,
    scheduleId: ticket.scheduleId, seatId: ticket.seatId, version: ticket.version,
  };
  await enqueue(trx, SCHEMA, { topic: TOPICS.tickets, type, key: ticket.id, payload: { ...payload, ...extra[0] } });
}

export async function emitCheckedIn(
  trx: Knex.Transaction,
  checkIn: { checkInId: string; ticketId: string; performanceId: string; scheduleId: string; gate: string; scannedAt: Date },
): Promise<void> {
  const payload: EventPayload<'ticket.checked-in'> = { ...checkIn, scannedAt: checkIn.scannedAt.toISOString() };
  await enqueue(trx, SCHEMA, { topic: TOPICS.tickets, type: 'ticket.checked-in', key: checkIn.ticketId, payload });
}
