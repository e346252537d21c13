import type { z } from 'zod';
import { TOPICS, type Topic } from '../topics.ts';
import { orderCreated, orderPaid, orderRefundRequested, orderReleased } from './booking-orders.ts';
import { performanceSoldOut } from './booking-performances.ts';
import { returnListed, returnRefunded, returnSold, returnWithdrawn } from './booking-returns.ts';
import { waitlistJoined, waitlistLeft, waitlistOffer } from './booking-waitlist.ts';
import { performanceCancelled, performancePublished, seatsPublished } from './catalog-performances.ts';
import { paymentOutcome, paymentReturnRefunded } from './payment-payments.ts';
import { ticketCheckedIn, ticketIssued, ticketRevoked, ticketTransferred } from './tickets-tickets.ts';

export * from './booking-orders.ts';
export * from './booking-performances.ts';
export * from './booking-returns.ts';
export * from './booking-waitlist.ts';
export * from './catalog-performances.ts';
export * from './payment-payments.ts';
export * from './tickets-tickets.ts';

/** Every event type: the topic it travels on and the schema of its payload (docs/events.md). */
export const EVENTS = {
  'performance.published': { topic: TOPICS.catalogPerformances, payload: performancePublished },
  'seats.published': { topic: TOPICS.catalogPerformances, payload: seatsPublished },
  'performance.cancelled': { topic: TOPICS.catalogPerformances, payload: performanceCancelled },
  'order.created': { topic: TOPICS.bookingOrders, payload: orderCreated },
  'order.confirmed': { topic: TOPICS.bookingOrders, payload: orderPaid },
  'order.refunded': { topic: TOPICS.bookingOrders, payload: orderPaid },
  'order.cancelled': { topic: TOPICS.bookingOrders, payload: orderReleased },
  'order.expired': { topic: TOPICS.bookingOrders, payload: orderReleased },
  'order.refund-requested': { topic: TOPICS.bookingOrders, payload: orderRefundRequested },
  'return.listed': { topic: TOPICS.bookingOrders, payload: returnListed },
  'return.withdrawn': { topic: TOPICS.bookingOrders, payload: returnWithdrawn },
  'return.sold': { topic: TOPICS.bookingOrders, payload: returnSold },
  'return.refunded': { topic: TOPICS.bookingOrders, payload: returnRefunded },
  'performance.sold-out': { topic: TOPICS.bookingPerformances, payload: performanceSoldOut },
  'waitlist.joined': { topic: TOPICS.bookingWaitlist, payload: waitlistJoined },
  'waitlist.left': { topic: TOPICS.bookingWaitlist, payload: waitlistLeft },
  'waitlist.offer-made': { topic: TOPICS.bookingWaitlist, payload: waitlistOffer },
  'waitlist.offer-claimed': { topic: TOPICS.bookingWaitlist, payload: waitlistOffer },
  'waitlist.offer-expired': { topic: TOPICS.bookingWaitlist, payload: waitlistOffer },
  'waitlist.offer-declined': { topic: TOPICS.bookingWaitlist, payload: waitlistOffer },
  'payment.succeeded': { topic: TOPICS.paymentPayments, payload: paymentOutcome },
  'payment.failed': { topic: TOPICS.paymentPayments, payload: paymentOutcome },
  'payment.refunded': { topic: TOPICS.paymentPayments, payload: paymentOutcome },
  'payment.return-refunded': { topic: TOPICS.paymentPayments, payload: paymentReturnRefunded },
  'ticket.issued': { topic: TOPICS.ticketsTickets, payload: ticketIssued },
  'ticket.revoked': { topic: TOPICS.ticketsTickets, payload: ticketRevoked },
  'ticket.transferred': { topic: TOPICS.ticketsTickets, payload: ticketTransferred },
  'ticket.checked-in': { topic: TOPICS.ticketsTickets, payload: ticketCheckedIn },
} as const satisfies Record<string, { topic: Topic; payload: z.ZodType }>;

export type EventType = keyof typeof EVENTS;
/** The payload of one event type as it travels (dates as ISO text). */
export type EventPayload<T extends EventType> = z.input<(typeof EVENTS)[T]['payload']>;
/** The event types one topic carries. */
export type EventTypeOn<P extends Topic> = { [T in EventType]: (typeof EVENTS)[T]['topic'] extends P ? T : never }[EventType];
