import { z } from 'zod';
import type { BusEvent, HandleResult } from '@ticketping/bus';
import { handleOnce } from '@ticketping/bus';
import type { Knex } from '@ticketping/db';
import type { Logger } from '@ticketping/logger';
import { markPerformanceCancelled, savePerformance, saveSeats } from './catalog-copy/catalog-copy.repo.ts';
import type { BookingMetrics } from './booking-metrics.ts';
import { SCHEMA, TOPICS } from './orders/orders.events.ts';
import type { PaymentOutcomes } from './orders/payment-outcomes.ts';
import { settleCancelledPerformance } from './orders/performance-cancelled.ts';

/** Consumer group and inbox name (docs/events.md). */
export const CONSUMER = 'booking';
export const CONSUMED_TOPICS = [TOPICS.catalog, TOPICS.payments];

const isoDate = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

const performancePublished = z.object({
  performanceId: z.uuid(),
  title: z.string(),
  bookingOpensAt: isoDate,
  bookingClosesAt: isoDate,
  maxSeatsPerOrder: z.number().int().positive(),
  /** Absent from events published before the per-person limit existed: then it is maxSeatsPerOrder. */
  maxSeatsPerPerson: z.number().int().positive().optional(),
  totalSeats: z.number().int().nonnegative(),
  schedules: z.array(z.object({ scheduleId: z.uuid(), startsAt: isoDate })),
});

const seatsPublished = z.object({
  performanceId: z.uuid(),
  scheduleId: z.uuid(),
  seats: z.array(z.object({
    seatId: z.uuid(), section: z.string(), row: z.number().int(), number: z.number().int(),
    grade: z.string(), price: z.number().int().nonnegative(), currency: z.string().length(3),
  })),
});

const performanceCancelled = z.object({ performanceId: z.uuid(), cancelledAt: isoDate });

const paymentOutcome = z.object({
  paymentId: z.uuid(), orderId: z.uuid(), userId: z.string().min(1), amount: z.number().int().nonnegative(), currency: z.string().length(3),
});

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
    'payment.succeeded': (trx, payload) => outcomes.paymentSucceeded(trx, paymentOutcome.parse(payload)),
    'payment.refunded': (trx, payload) => outcomes.paymentRefunded(trx, paymentOutcome.parse(payload)),
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
