import { z } from 'zod';
import { EVENTS } from '@ticketping/contracts/events';
import { TOPICS } from '@ticketping/contracts/topics';
import type { Logger } from '@ticketping/logger';
import type { AdmissionLoop } from '../admission/admission-loop.ts';
import type { OrderEventKind, QueueStore } from '../redis/queue-store.ts';

/** The envelope of docs/events.md (structurally the bus's BusEvent). */
export interface QueueEvent {
  id: string;
  type: string;
  key: string;
  payload: unknown;
  occurredAt: string;
  headers?: Record<string, string>;
}

export const QUEUE_TOPICS = [TOPICS.catalogPerformances, TOPICS.bookingOrders, TOPICS.bookingPerformances];

// The queue reads only what it needs of each event (a tolerant reader), typed as the contract says.
// Without a closing time or a seat count a waiting room still opens: it never closes itself and has no line limit.
const performancePublished = EVENTS['performance.published'].payload
  .pick({ performanceId: true, bookingOpensAt: true, bookingClosesAt: true, queue: true, totalSeats: true, requireVerifiedEmail: true, maxSeatsPerOrder: true })
  .partial({ bookingClosesAt: true, totalSeats: true, maxSeatsPerOrder: true });

// Only the number of seats matters here, so seat ids are not checked.
const orderEvent = EVENTS['order.created'].payload
  .pick({ orderId: true, userId: true, performanceId: true })
  .extend({ seatIds: z.array(z.string()).default([]) });

const performanceOnly = EVENTS['performance.sold-out'].payload;

const ORDER_KINDS: Record<string, OrderEventKind> = {
  'order.created': 'created',
  'order.confirmed': 'confirmed',
  'order.cancelled': 'cancelled',
  'order.expired': 'expired',
  'order.refunded': 'refunded',
};

/**
 * Applies one event to the waiting room. The queue has no database, so there is no inbox: every
 * change is idempotent by construction (createQueue keeps what exists, freeing a slot twice
 * frees nothing the second time, seats are keyed by order id, and an order event only touches
 * the admission that was current when it happened). A payload that does not parse throws, so
 * the bus retries it and then dead-letters it.
 */
export function createEventHandler(deps: { store: QueueStore; admission: AdmissionLoop; logger: Logger }) {
  const { store, admission, logger } = deps;

  return async function handleEvent(event: QueueEvent): Promise<void> {
    if (event.type === 'performance.published') {
      const p = performancePublished.parse(event.payload);
      const created = await store.create(p.performanceId, {
        capacity: p.queue.capacity,
        admitPerMinute: p.queue.admitPerMinute,
        opensAtMs: Date.parse(p.bookingOpensAt),
        closesAtMs: p.bookingClosesAt ? Date.parse(p.bookingClosesAt) : 0,
        totalSeats: p.totalSeats ?? 0,
        requireVerifiedEmail: p.requireVerifiedEmail ?? false,
        maxSeatsPerOrder: p.maxSeatsPerOrder ?? 0,
      });
      logger.info({ performanceId: p.performanceId, created, eventId: event.id }, created ? 'waiting room created' : 'waiting room schedule updated');
      return;
    }
    const kind = ORDER_KINDS[event.type];
    if (kind) {
      const o = orderEvent.parse(event.payload);
      const occurredAtMs = Date.parse(event.occurredAt);
      if (Number.isNaN(occurredAtMs)) throw new Error(`event ${event.id}: occurredAt is not a date`);
      const outcome = await store.orderEvent(o.performanceId, kind, { userId: o.userId, orderId: o.orderId, seats: o.seatIds.length, occurredAtMs });
      // a freed slot goes to the next fan now, not at the next tick
      if (outcome === 'FREED') await admission.tick(o.performanceId);
      return;
    }
    if (event.type === 'performance.sold-out') {
      const { performanceId } = performanceOnly.parse(event.payload);
      await store.configure(performanceId, { state: 'SOLD_OUT' });
      logger.info({ performanceId, eventId: event.id }, 'waiting room closed: sold out');
      return;
    }
    // Nobody should wait for a show that will not happen: newcomers get QUEUE_CLOSED, waiting fans
    // learn it on their next poll (booking already refuses new holds for it).
    if (event.type === 'performance.cancelled') {
      const { performanceId } = performanceOnly.parse(event.payload);
      await store.configure(performanceId, { state: 'CLOSED' });
      logger.info({ performanceId, eventId: event.id }, 'waiting room closed: performance cancelled');
    }
    // every other event on these topics is for someone else
  };
}

export type EventHandler = ReturnType<typeof createEventHandler>;
