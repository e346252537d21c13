import { EVENTS } from '@ticketping/contracts/events';
import { TOPICS as CONTRACT_TOPICS } from '@ticketping/contracts/topics';
import type { BusEvent, HandleResult } from '@ticketping/bus';
import { handleOnce } from '@ticketping/bus';
import type { Knex } from '@ticketping/db';
import type { Logger } from '@ticketping/logger';
import { markPerformanceCancelled, savePerformance, saveSeats } from './catalog-copy/catalog-copy.repo.ts';
import type { BookingMetrics } from './booking-metrics.ts';
import { SCHEMA, TOPICS } from './orders/orders.events.ts';
import { outcomeTx, type PaymentOutcomes } from './orders/payment-outcomes.ts';
import { settleCancelledPerformance } from './orders/performance-cancelled.ts';
import { saveTicketCopy, updateTicketCopy } from './returns/returns.repo.ts';
import { markReturnRefunded, withdrawListingOfTicket } from './returns/settle.ts';

/** Consumer group and inbox name (docs/events.md). */
export const CONSUMER = 'booking';
export const CONSUMED_TOPICS = [TOPICS.catalog, TOPICS.payments, CONTRACT_TOPICS.ticketsTickets];

const performancePublished = EVENTS['performance.published'].payload.transform((p) => ({
  ...p,
  bookingOpensAt: new Date(p.bookingOpensAt),
  bookingClosesAt: new Date(p.bookingClosesAt),
  schedules: p.schedules.map((s) => ({ scheduleId: s.scheduleId, startsAt: new Date(s.startsAt) })),
}));
const seatsPublished = EVENTS['seats.published'].payload.pick({ performanceId: true, scheduleId: true, seats: true });
const performanceCancelled = EVENTS['performance.cancelled'].payload.transform((c) => ({ ...c, cancelledAt: new Date(c.cancelledAt) }));
const paymentOutcome = EVENTS['payment.succeeded'].payload;
const returnRefunded = EVENTS['payment.return-refunded'].payload.pick({ returnId: true });
// the copy of the tickets service's tickets that returns are checked against
const ticketIssued = EVENTS['ticket.issued'].payload.pick({ ticketId: true, orderId: true, seatId: true, userId: true });
const ticketTransferred = EVENTS['ticket.transferred'].payload.pick({ ticketId: true, userId: true });
const ticketRevoked = EVENTS['ticket.revoked'].payload.pick({ ticketId: true });
const ticketCheckedIn = EVENTS['ticket.checked-in'].payload.pick({ ticketId: true });

/**
 * Applies one consumed event exactly once: the inbox row and the change commit together. A
 * payload that does not parse throws, so the bus retries it and then dead-letters it. Types
 * booking does not need (other consumers' events on the same topics) are acknowledged as is.
 */
export function createEventHandler({ db, outcomes, logger, metrics }: { db: Knex; outcomes: PaymentOutcomes; logger: Logger; metrics: BookingMetrics }) {
  const appliers: Record<string, (trx: Knex.Transaction, payload: unknown) => Promise<void>> = {
    'performance.published': async (trx, payload) => {
      const p = performancePublished.parse(payload);
      await savePerformance(trx, p);
    },
    'seats.published': async (trx, payload) => {
      const s = seatsPublished.parse(payload);
      await saveSeats(trx, s.performanceId, s.scheduleId, s.seats);
    },
    'performance.cancelled': async (trx, payload) => {
      const c = performanceCancelled.parse(payload);
      // only the first cancellation settles the orders (the event may come again with a new id)
      if (await markPerformanceCancelled(trx, c.performanceId, c.cancelledAt)) await settleCancelledPerformance(trx, c.performanceId, { logger, metrics });
    },
    'payment.succeeded': (trx, payload) => outcomes.paymentSucceeded(outcomeTx(trx, logger), paymentOutcome.parse(payload)),
    'payment.refunded': (trx, payload) => outcomes.paymentRefunded(outcomeTx(trx, logger), paymentOutcome.parse(payload)),
    'payment.return-refunded': (trx, payload) => markReturnRefunded(trx, returnRefunded.parse(payload).returnId),
    'ticket.issued': async (trx, payload) => {
      const t = ticketIssued.parse(payload);
      await saveTicketCopy(trx, { ticketId: t.ticketId, orderId: t.orderId, seatId: t.seatId, holderId: t.userId });
    },
    'ticket.transferred': async (trx, payload) => {
      const t = ticketTransferred.parse(payload);
      await updateTicketCopy(trx, t.ticketId, { holderId: t.userId });
      await withdrawListingOfTicket(trx, t.ticketId, 'transferred', logger);
    },
    'ticket.revoked': (trx, payload) => updateTicketCopy(trx, ticketRevoked.parse(payload).ticketId, { revoked: true }),
    'ticket.checked-in': async (trx, payload) => {
      const { ticketId } = ticketCheckedIn.parse(payload);
      await updateTicketCopy(trx, ticketId, { checkedIn: true });
      await withdrawListingOfTicket(trx, ticketId, 'checked-in', logger);
    },
  };

  return async function handleEvent(event: BusEvent): Promise<HandleResult> {
    const apply = appliers[event.type];
    if (!apply) {
      logger.debug({ type: event.type, eventId: event.id }, 'event type not used by booking');
      return 'applied';
    }
    return handleOnce(db, SCHEMA, CONSUMER, event, (trx) => apply(trx, event.payload));
  };
}
