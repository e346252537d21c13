/**
 * A face-value return end to end (issue 20), on real servers: the tickets service with the real
 * auth service, booking and payment, each on its own Postgres, sharing one bus. A ticket returned
 * by its holder is sold to a waitlisted fan: the old code is refused at the door, the new one
 * admitted, the seller refunded exactly once, whatever is delivered again. The waitlisted fan is
 * told by e-mail (booking's mail outbox, to the test environment's Mailpit).
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSigner, generateSigningKey, publicJwks, type TokenSigner } from '@ticketping/auth-tokens';
import { bookingConfigSchema } from '@ticketping/booking/config';
import { MIGRATIONS_DIRECTORY as BOOKING_MIGRATIONS, SCHEMA as BOOKING_SCHEMA } from '@ticketping/booking/migrate';
import { createService as createBooking, type BookingService } from '@ticketping/booking/service';
import { createMemoryBus, type Bus, type BusEvent } from '@ticketping/bus';
import { createTestDatabase, type TestDatabase } from '@ticketping/db/testing';
import { loadConfig as loadGatewayConfig } from '@ticketping/gateway/config';
import { createService as createGateway } from '@ticketping/gateway/service';
import { listen } from '@ticketping/http';
import { createMetrics } from '@ticketping/metrics';
import { paymentConfigSchema } from '@ticketping/payment/config';
import { MIGRATIONS_DIRECTORY as PAYMENT_MIGRATIONS, SCHEMA as PAYMENT_SCHEMA } from '@ticketping/payment/migrate';
import { createService as createPayment, type PaymentService } from '@ticketping/payment/service';
import { createRedis } from '@ticketping/redis';
import { eventually, expectContract, randomPrefix, testEnv, waitForMail } from '@ticketping/testing';
import { INTERNAL_TOKEN, quietLogger, recordEvents, scan, startTickets, type Account, type Harness, type Show } from './harness.ts';

const GOOD_CARD = { type: 'card', cardNumber: '4242424242424242' };

type Provider = NonNullable<Parameters<typeof createPayment>[0]['provider']>;
/** The card provider, an outside party: approves every charge, records each refund once per idempotency key. */
function cardProvider(): Provider & { refunds: Map<string, { paymentId: string; amount: number }> } {
  const charges = new Set<string>();
  const refunds = new Map<string, { paymentId: string; amount: number }>();
  return {
    name: 'test-card', refunds,
    async charge(request) {
      charges.add(request.paymentId);
      return { outcome: 'approved', reference: `ref-${request.paymentId}` };
    },
    async lookup(paymentId) {
      return charges.has(paymentId) ? { outcome: 'approved', reference: `ref-${paymentId}` } : { outcome: 'not_found' };
    },
    async refund(request) {
      if (!refunds.has(request.idempotencyKey)) refunds.set(request.idempotencyKey, { paymentId: request.paymentId, amount: request.amount });
      return { reference: request.idempotencyKey };
    },
  };
}
const closers: Array<() => Promise<unknown>> = [];
let h: Harness;
let bus: Bus;
let booking: BookingService;
let bookingDb: TestDatabase;
let payment: PaymentService;
let paymentDb: TestDatabase;
let bookingUrl: string;
let paymentUrl: string;
let gatewayUrl: string;
let signer: TokenSigner;
let recorder: Awaited<ReturnType<typeof recordEvents>>;
/** What the simulated card provider paid back, by idempotency key. */
let refunds: Map<string, { paymentId: string; amount: number }>;

test.before(async () => {
  const logger = quietLogger('returns-test');
  bus = createMemoryBus({ logger, metrics: createMetrics('bus', { defaultMetrics: false }).registry });
  closers.push(() => bus.close());
  h = await startTickets({ bus });
  closers.push(() => h.close());
  [bookingDb, paymentDb] = await Promise.all([
    createTestDatabase(testEnv.postgresUrl, [{ directory: BOOKING_MIGRATIONS, schema: BOOKING_SCHEMA }]),
    createTestDatabase(testEnv.postgresUrl, [{ directory: PAYMENT_MIGRATIONS, schema: PAYMENT_SCHEMA }]),
  ]);
  closers.push(() => bookingDb.drop(), () => paymentDb.drop());
  const key = await generateSigningKey();
  signer = await createSigner('ticketping-queue', key);
  booking = createBooking({
    config: bookingConfigSchema.parse({ INTERNAL_TOKEN, QUEUE_JWKS: JSON.stringify(publicJwks([key])), DATABASE_URL: bookingDb.url, OUTBOX_POLL_INTERVAL_MS: '20', RETURN_FEE_PERCENT: '5', CATALOG_COPY_TTL_MS: '0',
      SMTP_URL: testEnv.smtpUrl, AUTH_URL: h.auth.base, PUBLIC_URL: 'https://tickets.example.test', MAIL_POLL_INTERVAL_MS: '50' }),
    logger, metrics: createMetrics('booking', { defaultMetrics: false }), db: bookingDb.knex, bus,
  });
  const simulator = cardProvider();
  refunds = simulator.refunds;
  payment = createPayment({
    config: paymentConfigSchema.parse({ INTERNAL_TOKEN, DATABASE_URL: paymentDb.url, OUTBOX_POLL_INTERVAL_MS: '20', REFUND_INTERVAL_MS: '100' }),
    logger, metrics: createMetrics('payment', { defaultMetrics: false }), db: paymentDb.knex, bus, provider: simulator,
  });
  await Promise.all([booking.start(), payment.start()]);
  closers.push(() => booking.stop(), () => payment.stop());
  const [b, p] = await Promise.all([listen(booking.app, 0), listen(payment.app, 0)]);
  closers.push(() => b.close(), () => p.close());
  bookingUrl = `http://127.0.0.1:${b.port}`;
  paymentUrl = `http://127.0.0.1:${p.port}`;
  // The gateway in front, as fans reach the returns routes: access tokens from the real auth service.
  const redis = createRedis({ url: testEnv.redisUrl });
  const keyPrefix = randomPrefix('gw-returns');
  closers.push(async () => {
    const keys = await redis.keys(`${keyPrefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });
  const gateway = createGateway({
    config: loadGatewayConfig({
      INTERNAL_TOKEN, REDIS_KEY_PREFIX: keyPrefix, WEB_DIST: '/nonexistent', QUEUE_JWKS: JSON.stringify(publicJwks([key])),
      AUTH_URL: h.auth.base, TICKETS_URL: h.base, BOOKING_URL: bookingUrl, PAYMENT_URL: paymentUrl, CATALOG_URL: 'http://127.0.0.1:9', QUEUE_URL: 'http://127.0.0.1:9',
    }),
    logger, metrics: createMetrics('gateway', { defaultMetrics: false }), redis,
  });
  await gateway.start();
  closers.push(() => gateway.stop());
  const g = await listen(gateway.app, 0);
  closers.push(() => g.close());
  gatewayUrl = `http://127.0.0.1:${g.port}`;
  recorder = await recordEvents(bus, ['booking.orders', 'payment.payments', 'tickets.tickets', 'booking.waitlist']);
  closers.push(() => recorder.stop());
});
test.after(async () => {
  for (const close of closers.reverse()) await close();
});

type Json = Record<string, unknown> & { id: string; status: string; code?: string };

async function api(base: string, method: string, path: string, userId: string, body?: unknown, extra: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method, headers: { 'content-type': 'application/json', 'x-internal-token': INTERNAL_TOKEN, 'x-user-id': userId, 'x-user-role': 'USER', ...extra },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

async function buy(fan: Account, show: Show, seatIds: string[]): Promise<string> {
  const { token } = await signer.sign({ subject: fan.id, audience: show.performanceId, expiresInSeconds: 600 });
  const placed = await api(bookingUrl, 'POST', '/api/v1/orders', fan.id, { scheduleId: show.scheduleId, seatIds }, { 'x-queue-token': token });
  assert.is(placed.status, 201, JSON.stringify(placed.body));
  await pay(fan, placed.body.id);
  return placed.body.id;
}

async function pay(fan: Account, orderId: string) {
  const paid = await api(paymentUrl, 'POST', '/api/v1/payments', fan.id, { orderId, method: GOOD_CARD }, { 'idempotency-key': randomUUID() });
  assert.is(paid.status, 201, JSON.stringify(paid.body));
  await eventually(async () => (await api(bookingUrl, 'GET', `/api/v1/orders/${orderId}`, fan.id)).body.status === 'CONFIRMED');
}

async function grantStaff(staff: Account, performanceId: string) {
  const res = await h.call('POST', `/api/v1/check-in/performances/${performanceId}/staff`, { userId: randomUUID(), role: 'ADMIN', body: { email: staff.email } });
  assert.ok([200, 201].includes(res.status), JSON.stringify(res.body));
}

const quote = async (fan: Account, ticketId: string) => {
  const r = await api(bookingUrl, 'GET', `/api/v1/returns/tickets/${ticketId}/quote`, fan.id);
  expectContract('quoteTicketReturn', r.status, r.body);
  return r;
};
const returnTicket = async (fan: Account, ticketId: string) => {
  const r = await api(bookingUrl, 'POST', '/api/v1/returns', fan.id, { ticketId });
  expectContract('returnTicket', r.status, r.body);
  return r;
};
const myReturns = async (fan: Account) => {
  const r = await api(bookingUrl, 'GET', '/api/v1/returns', fan.id);
  expectContract('listTicketReturns', r.status, r.body);
  return r.body.items as Json[];
};

/** The booking copy of a ticket arrives through tickets' events: a return is possible once it is there. */
const bookingKnows = (ticketId: string) => eventually(async () => (await bookingDb.knex('ticket_copies').where('ticket_id', ticketId).first()) !== undefined);

test('a return sold to a waitlisted fan: the old code is refused at the door, the new one admitted, the seller refunded exactly once', async () => {
  const show = await h.publishShow(2);
  await eventually(async () => (await bookingDb.knex('seats').where('schedule_id', show.scheduleId)).length === 2);
  const [seller, other, waiting, staff] = [await h.auth.signUp(), await h.auth.signUp(), await h.auth.signUp(), await h.auth.signUp()];
  await grantStaff(staff, show.performanceId);

  const sellerOrder = await buy(seller, show, [show.seatIds[0]!]);
  await buy(other, show, [show.seatIds[1]!]);
  const [oldTicket] = await h.ticketsOf(seller.id, sellerOrder, 1);
  const oldCode = oldTicket!.code!.code;
  await bookingKnows(oldTicket!.id);

  // Sold out: the fan waits. The quote comes before the seller confirms, with nothing to set but the ticket.
  const joined = await api(bookingUrl, 'POST', `/api/v1/waitlist/${show.scheduleId}/entries`, waiting.id, { seats: 1 });
  assert.is(joined.status, 201, JSON.stringify(joined.body));
  const q = await quote(seller, oldTicket!.id);
  assert.equal([q.status, q.body.price, q.body.fee, q.body.refund], [200, 50_000, 2_500, 47_500]);
  const priced = await api(bookingUrl, 'POST', '/api/v1/returns', seller.id, { ticketId: oldTicket!.id, price: 90_000 });
  assert.equal([priced.status, priced.body.code], [400, 'VALIDATION_FAILED'], 'no price field: nothing above face value');
  assert.equal([(await quote(other, oldTicket!.id)).body.code], ['NOT_TICKET_HOLDER']);
  assert.equal([(await quote(seller, randomUUID())).status], [404]);

  // The seller returns it through the gateway, logged in at auth: the quote, then the listing.
  const login = await fetch(`${gatewayUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: seller.email, password: 'fan-password-1' }) });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const viaGateway = (method: string, path: string, body?: unknown, token: string | null = accessToken) => fetch(`${gatewayUrl}${path}`, {
    method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  assert.is((await viaGateway('POST', '/api/v1/returns', { ticketId: oldTicket!.id }, null)).status, 401, 'a return needs the fan\'s token');
  const quoted = await viaGateway('GET', `/api/v1/returns/tickets/${oldTicket!.id}/quote`);
  assert.equal([quoted.status, ((await quoted.json()) as { refund: number }).refund], [200, 47_500]);
  const listedRes = await viaGateway('POST', '/api/v1/returns', { ticketId: oldTicket!.id });
  const listed = { status: listedRes.status, body: (await listedRes.json()) as Json };
  expectContract('returnTicket', listed.status, listed.body);
  assert.equal([listed.status, listed.body.status, listed.body.refund], [201, 'LISTED', 47_500]);
  assert.equal([(await returnTicket(seller, oldTicket!.id)).body.code], ['ALREADY_RETURNED']);

  // The seat went to the waiting fan at once, held by the offer; the seller's ticket is still valid meanwhile.
  const entry = await api(bookingUrl, 'GET', `/api/v1/waitlist/${show.scheduleId}/entries/me`, waiting.id);
  const offer = entry.body.offer as { id: string; seats: Array<{ id: string; price: number }> };
  assert.equal(offer.seats.map((s) => [s.id, s.price]), [[show.seatIds[0], 50_000]]);
  // The offer e-mail: the seat, the deadline and the link to the waitlist page, from the outbox row written with the offer.
  const mail = await waitForMail({ to: waiting.email, subject: /^Seats for Hamlet are held for you until / }, { timeoutMs: 20_000 });
  assert.match(mail.Text, /Section A, row 3, seat 1 \(50,000 KRW\)/);
  const deadline = (entry.body.offer as { expiresAt: string }).expiresAt.slice(0, 16).replace('T', ' ');
  assert.ok(mail.Text.includes(`held for you until ${deadline} UTC`), mail.Text);
  assert.ok(mail.Text.includes(`https://tickets.example.test/#/waitlist/${show.performanceId}`), mail.Text);
  assert.ok((await bookingDb.knex('offer_mails').where('offer_id', offer.id).first()).sent_at, 'the outbox row is marked sent');
  const withdrawWhileOffered = await api(bookingUrl, 'DELETE', `/api/v1/returns/${listed.body.id}`, seller.id);
  assert.equal([withdrawWhileOffered.status, withdrawWhileOffered.body.code], [409, 'RETURN_NOT_WITHDRAWABLE']);

  const claimed = await api(bookingUrl, 'POST', `/api/v1/waitlist/offers/${offer.id}/claim`, waiting.id);
  assert.equal([claimed.status, claimed.body.amount], [201, 50_000], 'resold at the price paid');
  await pay(waiting, claimed.body.id);

  const [newTicket] = await h.ticketsOf(waiting.id, claimed.body.id, 1);
  await eventually(async () => (await myReturns(seller))[0]?.status === 'REFUNDED');
  const door = await h.call('POST', `/api/v1/check-in/performances/${show.performanceId}/scans`, {
    userId: staff.id, body: { gate: 'North', deviceId: 'north-phone', scans: [scan(oldCode, show.scheduleId), scan(newTicket!.code!.code, show.scheduleId)] },
  });
  assert.equal((door.body.results as Array<{ outcome: string }>).map((r) => r.outcome), ['REVOKED', 'ADMITTED']);
  const revoked = await h.call('GET', `/api/v1/tickets/${oldTicket!.id}`, { userId: seller.id });
  assert.equal([revoked.body.status, revoked.body.revokedReason], ['REVOKED', 'RETURNED']);

  const returnId = listed.body.id;
  const paidBack = () => [...refunds.entries()].filter(([key]) => key === `return-${returnId}`);
  assert.equal(paidBack().map(([, r]) => r.amount), [47_500]);

  // Every event delivered again, to every service, and the sale announced once more under a new id
  // (an outbox replay): still one refund, the seller's return still REFUNDED, one ticket for the buyer.
  // (the recorder is a consumer group of its own: it may see the last events a moment after the services)
  await eventually(() => recorder.of('payment.return-refunded').length === 1 || undefined);
  const seen = [...recorder.events];
  for (const event of seen) {
    const { topic, ...delivered } = event;
    if (topic === 'booking.orders') await payment.handleEvent(delivered);
    if (topic === 'booking.orders') await h.service.handleEvent(delivered);
    if (topic === 'payment.payments' || topic === 'tickets.tickets') await booking.handleEvent(delivered);
  }
  const sold = recorder.of('return.sold');
  assert.is(sold.length, 1);
  const replay: BusEvent = { ...sold[0]!, id: randomUUID() };
  await payment.handleEvent(replay);
  await h.service.handleEvent(replay);
  await payment.returnRefunds.refundDue();
  await payment.settlement.refundDue();
  assert.equal(paidBack().map(([, r]) => r.amount), [47_500]);
  assert.is((await paymentDb.knex('return_refunds').where('return_id', returnId)).length, 1);
  assert.is(recorder.of('payment.return-refunded').length, 1);
  assert.equal((await myReturns(seller)).map((r) => [r.id, r.status, r.refund]), [[returnId, 'REFUNDED', 47_500]]);
  assert.is((await h.db.knex('tickets').where('seat_id', show.seatIds[0]).andWhere('status', 'VALID')).length, 1, 'one valid ticket for the seat: the buyer\'s');
  // The organiser's figures for the date: the offer claimed, the return sold and its seller refunded, once.
  const stats = await api(bookingUrl, 'GET', '/api/v1/admin/waitlist', randomUUID(), undefined, { 'x-user-role': 'ADMIN' });
  expectContract('getWaitlistStats', stats.status, stats.body);
  const row = (stats.body.items as Array<{ scheduleId: string; offers: Record<string, number>; returns: Record<string, number> }>).find((s) => s.scheduleId === show.scheduleId);
  assert.equal([row?.offers.CLAIMED, row?.returns], [1, { LISTED: 0, SOLD: 0, REFUNDED: 1, WITHDRAWN: 0 }]);

  // The buyer's ticket was used at the door: it cannot be returned.
  await eventually(async () => (await bookingDb.knex('ticket_copies').where({ ticket_id: newTicket!.id, checked_in: true })).length === 1);
  assert.equal([(await quote(waiting, newTicket!.id)).body.code], ['TICKET_CHECKED_IN']);
  // The seller's old ticket is gone: returning it again is refused.
  assert.equal([(await returnTicket(seller, oldTicket!.id)).status], [409]);

  // The performance is cancelled: every paid order is refunded whole, except what the seller already got
  // back for the resold seat (all of their one-seat order): the buyer and the other fan get 50,000 each.
  await bus.publish('catalog.performances', [{ id: randomUUID(), type: 'performance.cancelled', key: show.performanceId, occurredAt: new Date().toISOString(), payload: { performanceId: show.performanceId, cancelledAt: new Date().toISOString() } }]);
  const paymentOf = async (orderId: string) => (await bookingDb.knex('orders').where('id', orderId).first()).payment_id as string;
  const [sellerPayment, buyerPayment] = [await paymentOf(sellerOrder), await paymentOf(claimed.body.id)];
  await eventually(async () => (await bookingDb.knex('orders').where('performance_id', show.performanceId).andWhere('status', 'REFUNDED')).length === 3, 30_000);
  assert.equal(refunds.get(`refund-${buyerPayment}`)?.amount, 50_000);
  assert.is(refunds.has(`refund-${sellerPayment}`), false, 'the seller is not paid the resold seat a second time');
  assert.equal([...refunds.values()].filter((r) => r.paymentId === sellerPayment).map((r) => r.amount), [47_500]);
});

test('nobody waiting: the listing stays with the seller (ticket valid), can be withdrawn, and goes to the first fan who joins', async () => {
  const show = await h.publishShow(1);
  await eventually(async () => (await bookingDb.knex('seats').where('schedule_id', show.scheduleId)).length === 1);
  const [seller, late, later] = [await h.auth.signUp(), await h.auth.signUp(), await h.auth.signUp()];
  const order = await buy(seller, show, show.seatIds);
  const [ticket] = await h.ticketsOf(seller.id, order, 1);
  await bookingKnows(ticket!.id);

  const first = await returnTicket(seller, ticket!.id);
  assert.is(first.status, 201);
  const hold = await bookingDb.knex('seat_holds').where('seat_id', show.seatIds[0]).first();
  assert.equal([hold.order_id, hold.offer_id], [order, null], 'the seat stays with the seller\'s order');
  const withdrawn = await api(bookingUrl, 'DELETE', `/api/v1/returns/${first.body.id}`, seller.id);
  assert.equal([withdrawn.status, withdrawn.body.status], [200, 'WITHDRAWN']);
  assert.equal([(await api(bookingUrl, 'DELETE', `/api/v1/returns/${randomUUID()}`, seller.id)).status], [404]);

  const again = await returnTicket(seller, ticket!.id);
  assert.equal([again.status, again.body.status], [201, 'LISTED']);
  const joined = await api(bookingUrl, 'POST', `/api/v1/waitlist/${show.scheduleId}/entries`, late.id, { seats: 1 });
  assert.equal([joined.status, joined.body.status], [201, 'OFFERED'], 'the listed seat is offered to the first fan who joins');
  assert.equal(((joined.body.offer as { seats: Array<{ id: string }> }).seats).map((s) => s.id), show.seatIds);
  const second = await api(bookingUrl, 'POST', `/api/v1/waitlist/${show.scheduleId}/entries`, later.id, { seats: 1 });
  assert.equal([second.status, second.body.status, second.body.place], [201, 'WAITING', 1]);
  // The first fan lets it go: the next one is offered it; nobody after: back to the seller, still listed.
  await api(bookingUrl, 'DELETE', `/api/v1/waitlist/${show.scheduleId}/entries/me`, late.id);
  const next = await api(bookingUrl, 'GET', `/api/v1/waitlist/${show.scheduleId}/entries/me`, later.id);
  assert.is(next.body.status, 'OFFERED');
  await api(bookingUrl, 'DELETE', `/api/v1/waitlist/${show.scheduleId}/entries/me`, later.id);
  const back = await bookingDb.knex('seat_holds').where('seat_id', show.seatIds[0]).first();
  assert.equal([back.order_id, back.offer_id], [order, null]);
  assert.equal((await myReturns(seller)).map((r) => r.status), ['LISTED', 'WITHDRAWN']);
  const valid = await h.call('GET', `/api/v1/tickets/${ticket!.id}`, { userId: seller.id });
  assert.is(valid.body.status, 'VALID');
});

test.run();
