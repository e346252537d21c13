import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { handleOnce, type BusEvent, type HandleResult } from '@ticketping/bus';
import { EVENTS } from '@ticketping/contracts/events';
import type { Knex } from '@ticketping/db';
import type { Logger } from '@ticketping/logger';
import { ensurePerformance, findPerformance, markCancelled, savePerformance, saveSeats } from './catalog-copy/catalog-copy.repo.ts';
import { requestOrderMail } from './mail/ticket-mails.repo.ts';
import type { TicketsMetrics } from './tickets-metrics.ts';
import { emitTicketEvent, SCHEMA, TOPICS } from './tickets/tickets.events.ts';
import { insertTickets, revokeOrderTickets, revokePerformanceTickets, revokeReturnedTicket } from './tickets/tickets.repo.ts';
import type { RevokeReason, Ticket } from './tickets/tickets.types.ts';

/** Consumer group and inbox name (docs/events.md). */
export const CONSUMER = 'tickets';
export const CONSUMED_TOPICS = [TOPICS.orders, TOPICS.catalog];

// Each consumer picks what it reads from the contract's schema, so a field added upstream breaks nothing here.
const performancePublished = EVENTS['performance.published'].payload
  .pick({ performanceId: true, title: true, schedules: true })
  .transform((p) => ({ ...p, schedules: p.schedules.map((s) => ({ scheduleId: s.scheduleId, startsAt: new Date(s.startsAt) })) }));
const seatsPublished = EVENTS['seats.published'].payload.pick({ scheduleId: true, seats: true });
/** Without `cancelledAt` (an event older than the field), the event's own time stands in. */
const performanceCancelled = EVENTS['performance.cancelled'].payload
  .partial({ cancelledAt: true })
  .transform((c) => ({ performanceId: c.performanceId, cancelledAt: c.cancelledAt === undefined ? undefined : new Date(c.cancelledAt) }));
/** Accounts are uuids (auth): the holder goes into every code as 16 bytes, so tickets is stricter than the contract here. */
const returnSold = EVENTS['return.sold'].payload.pick({ ticketId: true, returnId: true });
const orderSettled = EVENTS['order.confirmed'].payload.pick({ orderId: true, performanceId: true, scheduleId: true, seatIds: true }).extend({ userId: z.uuid() });

/**
 * Applies booking's and catalog's events exactly once (inbox): one ticket per seat of a confirmed
 * order, revocation on refund, cancellation or a resold return, and the copy of titles, dates and seats. A payload
 * that does not parse throws, so the bus retries it and then dead-letters it.
 */
export function createEventHandler({ db, logger, metrics, mailTickets = false }: { db: Knex; logger: Logger; metrics: TicketsMetrics; mailTickets?: boolean }) {
  async function revoke(trx: Knex.Transaction, tickets: Ticket[], reason: RevokeReason): Promise<void> {
    for (const ticket of tickets) await emitTicketEvent(trx, 'ticket.revoked', ticket, { reason });
    if (tickets.length) metrics.revoked(reason, tickets.length);
  }

  const appliers: Record<string, (trx: Knex.Transaction, event: BusEvent) => Promise<void>> = {
    'performance.published': (trx, event) => savePerformance(trx, performancePublished.parse(event.payload)),
    'seats.published': async (trx, event) => {
      const s = seatsPublished.parse(event.payload);
      await saveSeats(trx, s.scheduleId, s.seats);
    },
    'performance.cancelled': async (trx, event) => {
      const c = performanceCancelled.parse(event.payload);
      if (!(await markCancelled(trx, c.performanceId, c.cancelledAt ?? new Date(event.occurredAt)))) return;
      const revoked = await revokePerformanceTickets(trx, c.performanceId);
      await revoke(trx, revoked, 'PERFORMANCE_CANCELLED');
      logger.info({ performanceId: c.performanceId, revoked: revoked.length }, 'performance cancelled: its tickets are revoked');
    },
    'order.confirmed': async (trx, event) => {
      const order = orderSettled.parse(event.payload);
      await ensurePerformance(trx, order.performanceId);
      const issued = await insertTickets(trx, order.seatIds.map((seatId) => ({
        id: randomUUID(), orderId: order.orderId, performanceId: order.performanceId, scheduleId: order.scheduleId, seatId, holderId: order.userId,
      })));
      for (const ticket of issued) await emitTicketEvent(trx, 'ticket.issued', ticket);
      if (mailTickets && issued.length > 0) await requestOrderMail(trx, order.orderId, order.userId);
      metrics.issued(issued.length);
      metrics.issueDelay.observe(Math.max(0, Date.now() - Date.parse(event.occurredAt)) / 1000);
      // The cancellation travels on catalog's topic and may have come first.
      if ((await findPerformance(trx, order.performanceId))?.cancelledAt) await revoke(trx, await revokeOrderTickets(trx, order.orderId, 'PERFORMANCE_CANCELLED'), 'PERFORMANCE_CANCELLED');
    },
    'order.refunded': async (trx, event) => {
      const order = orderSettled.parse(event.payload);
      await revoke(trx, await revokeOrderTickets(trx, order.orderId, 'ORDER_REFUNDED'), 'ORDER_REFUNDED');
    },
    // A returned ticket stays valid while listed; its seat resold, the code is dead (the buyer's
    // order.confirmed issues them a new ticket for the seat).
    'return.sold': async (trx, event) => {
      const sold = returnSold.parse(event.payload);
      await revoke(trx, await revokeReturnedTicket(trx, sold.ticketId), 'RETURNED');
    },
  };

  return async function handleEvent(event: BusEvent): Promise<HandleResult> {
    const apply = appliers[event.type];
    if (!apply) {
      logger.debug({ type: event.type, eventId: event.id }, 'event type not used by tickets');
      return 'applied';
    }
    return handleOnce(db, SCHEMA, CONSUMER, event, (trx) => apply(trx, event));
  };
}
