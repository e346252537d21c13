/**
 * The Kafka topics (in-memory bus topics in standalone), named `<producer>.<aggregate>`. Each is
 * written by one service only; the events each carries are listed in `events/`.
 */
export const TOPICS = {
  /** catalog → booking, queue: a performance was published, changed or cancelled. */
  catalogPerformances: 'catalog.performances',
  /** booking → catalog, queue, payment: an order's life (created … refunded, refund requested). */
  bookingOrders: 'booking.orders',
  /** booking → catalog, queue: facts booking learns about a performance (sold out). */
  bookingPerformances: 'booking.performances',
  /** booking → tickets (offer e-mails), organiser views: a waitlist's entries and the offers made from it. */
  bookingWaitlist: 'booking.waitlist',
  /** payment → booking: a payment's outcome. */
  paymentPayments: 'payment.payments',
  /** tickets → (e-mail delivery, organiser view): a ticket's life (issued, revoked, transferred, checked in). */
  ticketsTickets: 'tickets.tickets',
} as const;

export type Topic = (typeof TOPICS)[keyof typeof TOPICS];
