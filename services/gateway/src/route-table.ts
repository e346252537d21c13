import { ONE_HOP_ROUTES } from '@ticketping/edge';

/**
 * Every public route the gateway forwards, and what it asks of the caller. The services decide
 * authorisation (owner checks, ADMIN); the gateway decides authentication, admission and rate.
 * Paths are express templates, which also label the request metrics.
 */
export type Upstream = 'auth' | 'catalog' | 'queue' | 'booking' | 'payment' | 'tickets';

export interface GatewayRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE' | 'ALL';
  path: string;
  upstream: Upstream;
  /** `public`: no token needed (a token that is sent must still be valid). */
  access: 'public' | 'user';
  /** `poll`: the waiting room's status polls, with their own larger budget. */
  rateClass?: 'api' | 'poll';
  /** Booking writes: the caller needs a valid X-Queue-Token for the schedule's performance. */
  admission?: boolean;
  /** A fan's status poll: sent with the other polls of the same moment in one call (proxy/status-polls.ts). */
  statusPoll?: boolean;
  /** Capped per client address and address range over CAP_WINDOW_SECONDS (rate-limit/caps.ts). */
  cap?: 'entry' | 'signup';
}

export const ROUTES: GatewayRoute[] = [
  { method: 'POST', path: '/api/v1/users', upstream: 'auth', access: 'public', cap: 'signup' },
  { method: 'POST', path: '/api/v1/auth/login', upstream: 'auth', access: 'public' },
  { method: 'POST', path: '/api/v1/auth/refresh', upstream: 'auth', access: 'public' },
  { method: 'POST', path: '/api/v1/auth/logout', upstream: 'auth', access: 'user' },
  { method: 'GET', path: '/api/v1/users/me', upstream: 'auth', access: 'user' },
  // public: the link in the verification mail may be opened where the fan is not logged in
  { method: 'POST', path: '/api/v1/users/verification', upstream: 'auth', access: 'public' },

  { method: 'GET', path: '/api/v1/performances', upstream: 'catalog', access: 'public' },
  { method: 'GET', path: '/api/v1/performances/:performanceId', upstream: 'catalog', access: 'public' },
  { method: 'POST', path: '/api/v1/performances', upstream: 'catalog', access: 'user' },
  // presale access codes (ADMIN; catalog checks the role)
  { method: 'POST', path: '/api/v1/performances/:performanceId/access-codes', upstream: 'catalog', access: 'user' },
  { method: 'GET', path: '/api/v1/performances/:performanceId/access-codes', upstream: 'catalog', access: 'user' },
  { method: 'GET', path: '/api/v1/performances/:performanceId/access-codes/:codeId/uses', upstream: 'catalog', access: 'user' },
  { method: 'GET', path: '/api/v1/schedules/:scheduleId', upstream: 'catalog', access: 'public' },
  { method: 'GET', path: '/api/v1/schedules/:scheduleId/seats', upstream: 'catalog', access: 'public' },

  { method: 'GET', path: '/api/v1/queues/:performanceId', upstream: 'queue', access: 'public', rateClass: 'poll' },
  { method: 'PATCH', path: '/api/v1/queues/:performanceId', upstream: 'queue', access: 'user' },
  { method: 'POST', path: '/api/v1/queues/:performanceId/challenge', upstream: 'queue', access: 'user' },
  { method: 'POST', path: '/api/v1/queues/:performanceId/entries', upstream: 'queue', access: 'user', cap: 'entry' },
  // the rows the queue also serves itself when the ingress sends them to it (one hop)
  { ...ONE_HOP_ROUTES.status, upstream: 'queue', statusPoll: true },
  { ...ONE_HOP_ROUTES.leave, upstream: 'queue' },
  { method: 'GET', path: '/api/v1/queues/:performanceId/timeline', upstream: 'queue', access: 'user' },

  { method: 'POST', path: '/api/v1/orders', upstream: 'booking', access: 'user', admission: true },
  { method: 'GET', path: '/api/v1/orders', upstream: 'booking', access: 'user' },
  { method: 'GET', path: '/api/v1/orders/:orderId', upstream: 'booking', access: 'user' },
  // Cancelling needs no admission token on purpose: it only releases seats, booking lets only the
  // owner do it, and a fan whose admission window closed must still be able to let go of a hold.
  { method: 'DELETE', path: '/api/v1/orders/:orderId', upstream: 'booking', access: 'user' },

  // Joining a waitlist is capped per address range like entering the waiting room; booking applies
  // the entry's other rules (confirmed address, proof-of-work: services/booking/src/waitlist/join-gate.ts).
  { method: 'POST', path: '/api/v1/waitlist/:scheduleId/entries', upstream: 'booking', access: 'user', cap: 'entry' },
  { method: 'GET', path: '/api/v1/waitlist/:scheduleId/entries/me', upstream: 'booking', access: 'user', rateClass: 'poll' },
  { method: 'DELETE', path: '/api/v1/waitlist/:scheduleId/entries/me', upstream: 'booking', access: 'user' },
  { method: 'GET', path: '/api/v1/waitlist/offers', upstream: 'booking', access: 'user', rateClass: 'poll' },
  // The offer is the admission: no queue token.
  { method: 'POST', path: '/api/v1/waitlist/offers/:offerId/claim', upstream: 'booking', access: 'user' },
  { method: 'GET', path: '/api/v1/admin/waitlist', upstream: 'booking', access: 'user' },
  { method: 'GET', path: '/api/v1/admin/schedules/:scheduleId/sales', upstream: 'booking', access: 'user' },

  // Face-value returns: booking owns the seat, the order and the waitlist the seat goes to.
  { method: 'GET', path: '/api/v1/returns/tickets/:ticketId/quote', upstream: 'booking', access: 'user' },
  { method: 'POST', path: '/api/v1/returns', upstream: 'booking', access: 'user' },
  { method: 'GET', path: '/api/v1/returns', upstream: 'booking', access: 'user' },
  { method: 'DELETE', path: '/api/v1/returns/:returnId', upstream: 'booking', access: 'user' },

  { method: 'POST', path: '/api/v1/payments', upstream: 'payment', access: 'user' },
  { method: 'GET', path: '/api/v1/payments/:paymentId', upstream: 'payment', access: 'user' },

  // The tickets service owns who may scan (STAFF per performance) and answers 403 itself.
  { method: 'GET', path: '/api/v1/tickets/jwks.json', upstream: 'tickets', access: 'public' },
  { method: 'GET', path: '/api/v1/tickets', upstream: 'tickets', access: 'user' },
  { method: 'GET', path: '/api/v1/tickets/:ticketId', upstream: 'tickets', access: 'user' },
  { method: 'GET', path: '/api/v1/tickets/:ticketId/qr', upstream: 'tickets', access: 'user' },
  { method: 'GET', path: '/api/v1/tickets/:ticketId/calendar.ics', upstream: 'tickets', access: 'user' },
  { method: 'POST', path: '/api/v1/tickets/:ticketId/transfers', upstream: 'tickets', access: 'user' },
  { method: 'GET', path: '/api/v1/check-in/performances/:performanceId', upstream: 'tickets', access: 'user' },
  { method: 'PATCH', path: '/api/v1/check-in/performances/:performanceId', upstream: 'tickets', access: 'user' },
  { method: 'GET', path: '/api/v1/check-in/performances/:performanceId/revocations', upstream: 'tickets', access: 'user' },
  { method: 'GET', path: '/api/v1/check-in/performances/:performanceId/check-ins', upstream: 'tickets', access: 'user' },
  { method: 'POST', path: '/api/v1/check-in/performances/:performanceId/scans', upstream: 'tickets', access: 'user' },
  { method: 'GET', path: '/api/v1/check-in/performances/:performanceId/duplicates', upstream: 'tickets', access: 'user' },
  { method: 'GET', path: '/api/v1/check-in/performances/:performanceId/timeline', upstream: 'tickets', access: 'user' },
  { method: 'GET', path: '/api/v1/check-in/performances/:performanceId/staff', upstream: 'tickets', access: 'user' },
  { method: 'POST', path: '/api/v1/check-in/performances/:performanceId/staff', upstream: 'tickets', access: 'user' },
  { method: 'DELETE', path: '/api/v1/check-in/performances/:performanceId/staff/:userId', upstream: 'tickets', access: 'user' },
];

/**
 * Routes a service adds later reach it without a gateway change: anything else under these
 * prefixes is forwarded and needs an access token. Everything else under /api/v1 is a 404.
 */
export const PREFIXES: { prefix: string; upstream: Upstream }[] = [
  { prefix: '/api/v1/users', upstream: 'auth' },
  { prefix: '/api/v1/auth', upstream: 'auth' },
  { prefix: '/api/v1/performances', upstream: 'catalog' },
  { prefix: '/api/v1/schedules', upstream: 'catalog' },
  { prefix: '/api/v1/venues', upstream: 'catalog' },
  // Platform administration (dead-letter redrive): catalog hosts the admin API; it checks ADMIN.
  { prefix: '/api/v1/admin', upstream: 'catalog' },
  { prefix: '/api/v1/queues', upstream: 'queue' },
  { prefix: '/api/v1/orders', upstream: 'booking' },
  { prefix: '/api/v1/payments', upstream: 'payment' },
  { prefix: '/api/v1/tickets', upstream: 'tickets' },
  { prefix: '/api/v1/check-in', upstream: 'tickets' },
];
