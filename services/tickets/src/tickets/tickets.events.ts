import { enqueue } from '@ticketping/bus';
import type { Knex } from '@ticketping/db';
import type { Ticket } from './tickets.types.ts';

/** The tickets service's schema: its outbox and inbox live there too. */
export const SCHEMA = 'tickets';

export const TOPICS = {
  tickets: 'tickets.tickets',
  orders: 'booking.orders',
  catalog: 'catalog.performances',
} as const;

type TicketEventType = 'ticket.issued' | 'ticket.revoked' | 'ticket.transferred';

/** Written in the transaction of the change: published if and only if it commits (docs/events.md). */
export async function emitTicketEvent(trx: Knex.Transaction, type: TicketEventType, ticket: Ticket, extra: Record<string, unknown> = {}): Promise<void> {
  await enqueue(trx, SCHEMA, {
    topic: TOPICS.tickets,
    type,
    key: ticket.id,
    payload: {
      ticketId: ticket.id, orderId: ticket.orderId, userId: ticket.holderId, performanceId: ticket.performanceId,
      scheduleId: ticket.scheduleId, seatId: ticket.seatId, version: ticket.version, ...extra,
    },
  });
}

export async function emitCheckedIn(
  trx: Knex.Transaction,
  checkIn: { checkInId: string; ticketId: string; performanceId: string; scheduleId: string; gate: string; scannedAt: Date },
): Promise<void> {
  await enqueue(trx, SCHEMA, {
    topic: TOPICS.tickets,
    type: 'ticket.checked-in',
    key: checkIn.ticketId,
    payload: { ...checkIn, scannedAt: checkIn.scannedAt.toISOString() },
  });
}
